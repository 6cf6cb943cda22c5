package ecsapi

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// sdkDebugWarning is the start of sdkdebug.Warning. The test does not import
// the package: it must come in through ecsapi itself.
const sdkDebugWarning = "DEBUG=sdk is ignored"

const sdkDebugChildEnv = "ALIECS_TEST_SDKDEBUG_CHILD"

// TestSDKDebugSwitchIgnored runs this test binary again with DEBUG=sdk (the
// SDK reads it while its packages initialise, so only a fresh process
// shows what it does) and makes a call with STS credentials: the SDK's
// debug lines (the signed URL, the token) must not appear, and the warning
// must, once.
func TestSDKDebugSwitchIgnored(t *testing.T) {
	if os.Getenv(sdkDebugChildEnv) != "" {
		t.Skip("in the child")
	}
	for _, debug := range []string{"sdk", "tea,sdk"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSDKDebugChild$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "DEBUG="+debug, sdkDebugChildEnv+"=1")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("DEBUG=%s child: %v\nstdout:\n%s\nstderr:\n%s", debug, err, stdout.String(), stderr.String())
		}
		out := stdout.String() + stderr.String()
		if !strings.Contains(out, "CHILD-CALLED") {
			t.Fatalf("DEBUG=%s: the child made no call:\n%s", debug, out)
		}
		for _, leak := range []string{"sts-token-dbg-31", "Signature=", "> POST", "> GET", "SecurityToken"} {
			if strings.Contains(out, leak) {
				t.Errorf("DEBUG=%s: the output shows %q:\n%s", debug, leak, out)
			}
		}
		if n := strings.Count(stderr.String(), sdkDebugWarning); n != 1 {
			t.Errorf("DEBUG=%s: the warning appears %d times on stderr, want once:\n%s", debug, n, stderr.String())
		}
		if !strings.Contains(stdout.String(), "CHILD-DEBUG=tea") && debug == "tea,sdk" {
			t.Errorf("DEBUG=%s: the other entries were not kept:\n%s", debug, stdout.String())
		}
	}
}

// TestSDKDebugChild is the child of TestSDKDebugSwitchIgnored.
func TestSDKDebugChild(t *testing.T) {
	if os.Getenv(sdkDebugChildEnv) == "" {
		t.Skip("only as the child of TestSDKDebugSwitchIgnored")
	}
	f := newFakeECS(t, describeInstancesFrom(map[string]string{"i-dbg": "Running"}))
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.SecurityToken = "sts-token-dbg-31" })
	if _, err := c.GetInstance(context.Background(), "i-dbg"); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("CHILD-CALLED CHILD-DEBUG=" + os.Getenv("DEBUG") + "\n")
}
