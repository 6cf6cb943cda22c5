package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// The published v1 test vector (README, "Signature v1"): secret testsecret,
// signature VyBL52idtt+oImX0NZC+2ngk15Q=.
func TestV1SignTestVector(t *testing.T) {
	sts := "GET&%2F&AccessKeyId%3Dtestid&Action%3DDescribeRegions&Format%3DXML&SignatureMethod%3DHMAC-SHA1&SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion%3D1.0&Timestamp%3D2016-02-23T12%253A46%253A24Z&Version%3D2014-05-26"
	if got := v1Sign("testsecret", sts); got != "VyBL52idtt+oImX0NZC+2ngk15Q=" {
		t.Fatalf("signature = %s", got)
	}
	q := url.Values{}
	for k, v := range map[string]string{"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
		"SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
		"SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26", "Signature": "x"} {
		q.Set(k, v)
	}
	// The vector's string keeps the '&' between pairs literal; the algorithm
	// (and every SDK request, see the conformance tests) encodes it as %26.
	if got := v1StringToSign("GET", q, nil); got != strings.Replace(strings.ReplaceAll(sts, "&", "%26"), "GET%26%2F%26", "GET&%2F&", 1) {
		t.Fatalf("string to sign:\n got %s\nwant %s", got, sts)
	}
}

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{"a b": "a%20b", "*": "%2A", "~": "~", "é": "%C3%A9", "a+b/c": "a%2Bb%2Fc", "": ""} {
		if got := percentEncode(in); got != want {
			t.Errorf("percentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestV1SignatureErrors(t *testing.T) {
	f := newFixture(t, Options{Credentials: []Credential{
		{AccessKeyID: "plain", AccessKeySecret: "plain-secret"},
		{AccessKeyID: "STS.key", AccessKeySecret: "sts-secret", SecurityToken: "tok-123"},
	}})
	base := map[string]string{"Action": "DescribeRegions"}
	cases := []struct {
		name   string
		r      rawReq
		status int
		code   string
	}{
		{"good", rawReq{ak: "plain", secret: "plain-secret"}, 200, ""},
		{"good GET", rawReq{method: "GET", ak: "plain", secret: "plain-secret"}, 200, ""},
		{"bad signature", rawReq{ak: "plain", secret: "plain-secret", badSig: true}, 400, "SignatureDoesNotMatch"},
		{"wrong secret", rawReq{ak: "plain", secret: "nope"}, 400, "SignatureDoesNotMatch"},
		{"unknown key", rawReq{ak: "who", secret: "x"}, 404, "InvalidAccessKeyId.NotFound"},
		{"skewed past", rawReq{ak: "plain", secret: "plain-secret", timestamp: time.Now().Add(-16 * time.Minute)}, 400, "InvalidTimeStamp.Expired"},
		{"skewed future", rawReq{ak: "plain", secret: "plain-secret", timestamp: time.Now().Add(16 * time.Minute)}, 400, "InvalidTimeStamp.Expired"},
		{"sts good", rawReq{ak: "STS.key", secret: "sts-secret", token: "tok-123"}, 200, ""},
		{"sts missing token", rawReq{ak: "STS.key", secret: "sts-secret"}, 400, "InvalidSecurityToken.Malformed"},
		{"sts wrong token", rawReq{ak: "STS.key", secret: "sts-secret", token: "tok-999"}, 400, "InvalidSecurityToken.MismatchWithAccessKey"},
		{"token on plain key", rawReq{ak: "plain", secret: "plain-secret", token: "tok-123"}, 400, "InvalidSecurityToken.MismatchWithAccessKey"},
		{"bad version", rawReq{ak: "plain", secret: "plain-secret", params: map[string]string{"Version": "2016-01-01"}}, 400, "InvalidVersion"},
		{"unknown action", rawReq{ak: "plain", secret: "plain-secret", params: map[string]string{"Action": "FlyToTheMoon"}}, 404, "InvalidAction.NotFound"},
		{"no action", rawReq{ak: "plain", secret: "plain-secret", params: map[string]string{"Action": "\x00"}}, 400, "MissingParameter"},
		{"bad timestamp", rawReq{ak: "plain", secret: "plain-secret", params: map[string]string{"Timestamp": "yesterday"}}, 400, "InvalidTimeStamp.Format"},
		{"wrong method", rawReq{ak: "plain", secret: "plain-secret", params: map[string]string{"SignatureMethod": "HMAC-MD5"}}, 400, "IncompleteSignature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			if r.params == nil {
				r.params = map[string]string{}
			}
			for k, v := range base {
				if _, set := r.params[k]; !set {
					r.params[k] = v
				}
			}
			status, body := f.raw(r)
			if status != tc.status || (tc.code != "" && body["Code"] != tc.code) {
				t.Fatalf("got %d %v, want %d %s", status, body, tc.status, tc.code)
			}
			if tc.code != "" {
				for _, k := range []string{"RequestId", "HostId", "Message", "Recommend"} {
					if s, _ := body[k].(string); s == "" {
						t.Errorf("error body lacks %s: %v", k, body)
					}
				}
			}
			if tc.code == "SignatureDoesNotMatch" && !strings.Contains(body["Message"].(string), "server string to sign is:POST&%2F&") {
				t.Errorf("message lacks the string to sign: %v", body["Message"])
			}
		})
	}
}

func TestNonceReplayRejected(t *testing.T) {
	f := newFixture(t, Options{})
	r := rawReq{nonce: "fixed-nonce-1", params: map[string]string{"Action": "DescribeRegions"}}
	if status, body := f.raw(r); status != 200 {
		t.Fatalf("first: %d %v", status, body)
	}
	status, body := f.raw(r)
	if status != 400 || body["Code"] != "SignatureNonceUsed" {
		t.Fatalf("replay: %d %v", status, body)
	}
	// A rejected signature does not burn the nonce.
	r2 := rawReq{nonce: "fixed-nonce-2", badSig: true, params: map[string]string{"Action": "DescribeRegions"}}
	f.raw(r2)
	r2.badSig = false
	if status, body := f.raw(r2); status != 200 {
		t.Fatalf("after bad signature: %d %v", status, body)
	}
}

func TestNonceCacheBounded(t *testing.T) {
	c := newNonceCache(100, maxNonceCacheBytes)
	now := time.Now()
	for i := 0; i < 1000; i++ {
		if !c.use("k"+itoa(i), now) {
			t.Fatal("fresh nonce rejected")
		}
	}
	if n := c.len(); n > 101 {
		t.Fatalf("cache holds %d entries", n)
	}
	if c.use("k999", now) {
		t.Fatal("recent nonce accepted twice")
	}
	c.use("late", now.Add(31*time.Minute))
	if n := c.len(); n != 1 {
		t.Fatalf("expired entries kept: %d", n)
	}
}

func TestFormBodyParamsAreSigned(t *testing.T) {
	f := newFixture(t, Options{})
	q := url.Values{}
	for k, v := range map[string]string{"Version": apiVersion, "Format": "JSON", "AccessKeyId": DefaultAccessKeyID,
		"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": "form-nonce",
		"Timestamp": time.Now().UTC().Format(timestampLayout), "SignatureType": ""} {
		q.Set(k, v)
	}
	form := url.Values{"Action": {"DescribeZones"}, "RegionId": {"cn-beijing"}}
	q.Set("Signature", v1Sign(DefaultAccessKeySecret, v1StringToSign("POST", q, form)))
	resp, err := http.Post(f.srv.URL+"/?"+q.Encode(), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if f.e.Calls()["DescribeZones"] != 1 {
		t.Fatalf("calls = %v", f.e.Calls())
	}
}

func TestSDKWithSTSToken(t *testing.T) {
	f := newFixture(t, Options{Credentials: []Credential{{AccessKeyID: "STS.abc", AccessKeySecret: "s3cr3t", SecurityToken: "token-xyz"}}})
	c, err := ecs.NewClientWithStsToken(testRegion, "STS.abc", "s3cr3t", "token-xyz")
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = f.host()
	resp, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Regions.Region) != len(seededRegions) {
		t.Fatalf("regions = %+v", resp.Regions)
	}
	bad, _ := ecs.NewClientWithStsToken(testRegion, "STS.abc", "s3cr3t", "token-other")
	bad.Domain = f.host()
	_, err = bad.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	wantCode(t, err, 400, "InvalidSecurityToken.MismatchWithAccessKey")
}

// v3client is a darabonba-openapi client (signature ACS3-HMAC-SHA256).
func v3client(t *testing.T, f *fixture, ak, secret, token string) *openapi.Client {
	t.Helper()
	cfg := &openapi.Config{AccessKeyId: &ak, AccessKeySecret: &secret, Endpoint: strPtr(f.host()),
		Protocol: strPtr("http"), RegionId: strPtr(testRegion)}
	if token != "" {
		cfg.SecurityToken = &token
	}
	c, err := openapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func strPtr(s string) *string { return &s }

func v3call(c *openapi.Client, action string, query map[string]any) (map[string]any, error) {
	params := &openapi.Params{Action: strPtr(action), Version: strPtr(apiVersion), Protocol: strPtr("HTTP"),
		Pathname: strPtr("/"), Method: strPtr("POST"), AuthType: strPtr("AK"), Style: strPtr("RPC"),
		ReqBodyType: strPtr("formData"), BodyType: strPtr("json")}
	req := &openapi.OpenApiRequest{Query: map[string]*string{}}
	for k, v := range query {
		s := v.(string)
		req.Query[k] = &s
	}
	return v3runtime(c, params, req)
}

func TestV3Signature(t *testing.T) {
	f := newFixture(t, Options{Credentials: []Credential{
		{AccessKeyID: DefaultAccessKeyID, AccessKeySecret: DefaultAccessKeySecret},
		{AccessKeyID: "STS.v3", AccessKeySecret: "v3-secret", SecurityToken: "v3-token"},
	}})
	rc := f.catalog()
	c := v3client(t, f, DefaultAccessKeyID, DefaultAccessKeySecret, "")
	res, err := v3call(c, "RunInstances", map[string]any{"RegionId": testRegion,
		"ImageId": "aliyun_3_x64_20G_alibase_20240101.vhd", "InstanceType": "ecs.c7.large",
		"VSwitchId": rc.VSwitches[1].ID, "SecurityGroupId": rc.SecurityGroups[0].ID, "InstanceName": "v3 instance"})
	if err == nil {
		t.Fatalf("invalid name accepted: %v", res)
	}
	if !strings.Contains(err.Error(), "InvalidInstanceName.Malformed") {
		t.Fatalf("err = %v", err)
	}
	res, err = v3call(c, "RunInstances", map[string]any{"RegionId": testRegion,
		"ImageId": "aliyun_3_x64_20G_alibase_20240101.vhd", "InstanceType": "ecs.c7.large",
		"VSwitchId": rc.VSwitches[1].ID, "SecurityGroupId": rc.SecurityGroups[0].ID, "InstanceName": "v3-instance",
		"Tag.1.Key": "team", "Tag.1.Value": "a b*c~"})
	if err != nil {
		t.Fatal(err)
	}
	body := res["body"].(map[string]any)
	ids := body["InstanceIdSets"].(map[string]any)["InstanceIdSet"].([]any)
	if len(ids) != 1 {
		t.Fatalf("body = %v", body)
	}
	in := f.describe(ids[0].(string))
	if in.ZoneId != rc.VSwitches[1].ZoneID || in.Tags.Tag[0].TagValue != "a b*c~" {
		t.Fatalf("instance = %+v", in)
	}
	// Wrong secret, unknown key, STS token.
	_, err = v3call(v3client(t, f, DefaultAccessKeyID, "wrong", ""), "DescribeRegions", map[string]any{})
	if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Fatalf("wrong secret: %v", err)
	}
	_, err = v3call(v3client(t, f, "nobody", "x", ""), "DescribeRegions", map[string]any{})
	if err == nil || !strings.Contains(err.Error(), "InvalidAccessKeyId.NotFound") {
		t.Fatalf("unknown key: %v", err)
	}
	if _, err = v3call(v3client(t, f, "STS.v3", "v3-secret", "v3-token"), "DescribeRegions", map[string]any{}); err != nil {
		t.Fatalf("sts: %v", err)
	}
	_, err = v3call(v3client(t, f, "STS.v3", "v3-secret", "other"), "DescribeRegions", map[string]any{})
	if err == nil || !strings.Contains(err.Error(), "InvalidSecurityToken") {
		t.Fatalf("sts wrong token: %v", err)
	}
}

func TestV3ReplayAndSkew(t *testing.T) {
	f := newFixture(t, Options{})
	send := func(date, nonce string) (int, string) {
		req, _ := http.NewRequest("POST", f.srv.URL+"/?RegionId=cn-hangzhou", nil)
		req.Header.Set("x-acs-action", "DescribeRegions")
		req.Header.Set("x-acs-version", apiVersion)
		req.Header.Set("x-acs-date", date)
		req.Header.Set("x-acs-signature-nonce", nonce)
		req.Header.Set("x-acs-content-sha256", hexSHA256(nil))
		signed := []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"}
		sts := v3StringToSign("POST", req.URL.Host, req.URL.Query(), req.Header, signed, hexSHA256(nil))
		req.Header.Set("Authorization", v3Algorithm+" Credential="+DefaultAccessKeyID+",SignedHeaders="+
			strings.Join(signed, ";")+",Signature="+v3Sign(DefaultAccessKeySecret, sts))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		b.Write(buf[:n])
		return resp.StatusCode, b.String()
	}
	now := time.Now().UTC().Format(timestampLayout)
	if s, b := send(now, "v3-n1"); s != 200 {
		t.Fatalf("good: %d %s", s, b)
	}
	if s, b := send(now, "v3-n1"); s != 400 || !strings.Contains(b, "SignatureNonceUsed") {
		t.Fatalf("replay: %d %s", s, b)
	}
	old := time.Now().Add(-20 * time.Minute).UTC().Format(timestampLayout)
	if s, b := send(old, "v3-n2"); s != 400 || !strings.Contains(b, "InvalidTimeStamp.Expired") {
		t.Fatalf("skew: %d %s", s, b)
	}
}

func v3runtime(c *openapi.Client, params *openapi.Params, req *openapi.OpenApiRequest) (map[string]any, error) {
	return c.CallApi(params, req, &dara.RuntimeOptions{})
}
