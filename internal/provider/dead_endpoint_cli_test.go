package provider

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// With nothing listening on the endpoint, an apply of one instance took
// 18 s and printed three errors, one per reference check, each retrying
// "refused" for 2 s (issue #24, item 6). Once the endpoint refused past the
// retry window, the provider process knows it is down: the other checks
// fail at once, and one diagnostic says so. A plan only warns, once.
func TestCLIDeadEndpointFailsOnce(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{}) // for the catalog's ids only
	c := newInstanceCatalog(t, env)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	_ = l.Close()
	cli := newRelCLI(t)
	cli.write(strings.Replace(relProvider(env, 5), env.server.URL, dead, 1) + instanceHCL(c, ""))

	start := time.Now()
	out, err := cli.run("plan", "-input=false", "-no-color")
	t.Logf("plan against a dead endpoint: %s, err %v\n%s", time.Since(start).Round(100*time.Millisecond), err, out)
	if err != nil {
		t.Errorf("the plan fails instead of warning: %v", err)
	}
	if n := strings.Count(out, "Warning: Cannot check"); n != 1 {
		t.Errorf("%d \"Cannot check\" warnings at plan, want 1", n)
	}

	start = time.Now()
	out, err = cli.run("apply", "-auto-approve", "-input=false", "-no-color")
	t.Logf("apply against a dead endpoint: %s, err %v\n%s", time.Since(start).Round(100*time.Millisecond), err, out)
	if err == nil {
		t.Fatal("the apply against a dead endpoint succeeded")
	}
	if n := strings.Count(out, "Error: "); n != 1 {
		t.Errorf("%d errors, want 1", n)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"refused", dead, "nothing listens"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the error does not say %q", want)
		}
	}
}
