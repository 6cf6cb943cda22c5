package emulator

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// "ecs-emulator oidc-token" writes a --sts-config that trusts its token,
// reuses its key on a second run, and its token passes the emulator's
// checks for the given audience only.
func TestOIDCTokenCommand(t *testing.T) {
	dir := t.TempDir()
	key, sts := filepath.Join(dir, "k.pem"), filepath.Join(dir, "sts.json")
	run := func(args ...string) string {
		var out, errb bytes.Buffer
		if code := runCommand(t.Context(), append([]string{"oidc-token", "--key", key, "--sts-config", sts}, args...),
			func(string) string { return "" }, &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		return strings.TrimSpace(out.String())
	}
	first := run("--sub", "organization:acme:workspace:ecs", "--aud", "aliyun")
	second := run("--sub", "organization:acme:workspace:ecs", "--aud", "aliyun")
	var doc stsDocument
	if err := strictJSON(must(os.ReadFile(sts)), &doc); err != nil {
		t.Fatal(err)
	}
	opts, err := doc.apply(STSOptions{})
	if err != nil || len(opts.OIDCProviders) != 1 || opts.OIDCProviders[0].ARN != DefaultOIDCProviderARN {
		t.Fatalf("sts config: %+v, %v", opts, err)
	}
	v, err := newOIDCVerifier(opts.OIDCProviders[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{first, second} {
		c, apiErr := v.verify(tok, time.Now())
		if apiErr != nil || c.Subject != "organization:acme:workspace:ecs" || c.Issuer != DefaultOIDCIssuer {
			t.Fatalf("token not accepted: %+v %v", c, apiErr)
		}
	}
	other := run("--sub", "x", "--aud", "someone-else")
	if _, apiErr := v.verify(other, time.Now()); apiErr == nil {
		t.Fatal("a token for another audience passed the first configuration")
	}
	var errb bytes.Buffer
	if code := runCommand(t.Context(), []string{"oidc-token", "--aud", "aliyun"}, func(string) string { return "" }, &bytes.Buffer{}, &errb); code != 2 ||
		!strings.Contains(errb.String(), "--sub") {
		t.Fatalf("no --sub: exit %d, %q", code, errb.String())
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
