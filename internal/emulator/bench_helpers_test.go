package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func newBenchServer(b *testing.B, e *Emulator) string {
	srv := httptest.NewServer(e)
	b.Cleanup(srv.Close)
	return srv.URL
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

func seedInstances(b *testing.B, srv string, n int) []string {
	rc := buildRegion(testRegion)
	q := url.Values{"Action": {"RunInstances"}, "ImageId": {"ubuntu_22_04_x64_20G_alibase_20240101.vhd"},
		"InstanceType": {"ecs.g7.large"}, "VSwitchId": {rc.VSwitches[0].ID},
		"SecurityGroupId": {rc.SecurityGroups[0].ID}, "Amount": {itoa(n)}}
	u := signedURL(srv, -1, q)
	resp, err := http.Get(u)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("seed: %v %v", err, resp)
	}
	drain(resp)
	return instanceIDsFromState(b, srv)
}

func instanceIDsFromState(b *testing.B, srv string) []string {
	resp, err := http.Get(srv + "/_emulator/state")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var st State
	if err := decodeJSON(resp.Body, &st); err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, in := range st.Instances {
		ids = append(ids, in.InstanceId)
	}
	return ids
}

func decodeJSON(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
