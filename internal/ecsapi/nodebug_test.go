package ecsapi

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// With DEBUG=sdk the SDK would print every request URL, security token
// included, to stdout (which Terraform logs). The test runs itself in a
// child process with DEBUG=sdk and looks at what the child printed.
func TestSDKDebugOutputIsOff(t *testing.T) {
	if os.Getenv("ALIECS_NODEBUG_CHILD") == "1" {
		f := newFakeECS(t, func(fakeCall) (int, any) { return ok(nil) })
		c, err := New(Config{RegionID: "cn-hangzhou", Credentials: StaticCredentials("STS.key", "secret", "tok-printed-by-debug"),
			Endpoint: f.endpoint(), Scheme: "http"})
		if err != nil {
			t.Fatal(err)
		}
		_ = c.ModifyInstanceAutoReleaseTime(context.Background(), "i-1", "")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestSDKDebugOutputIsOff$", "-test.v")
	cmd.Env = append(os.Environ(), "DEBUG=sdk", "ALIECS_NODEBUG_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("the child did not run:\n%s", out)
	}
	if strings.Contains(string(out), "tok-printed-by-debug") || strings.Contains(string(out), "> POST") {
		t.Fatalf("the SDK printed requests with DEBUG=sdk:\n%s", out)
	}
}
