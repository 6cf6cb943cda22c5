package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// Through the terraform CLI: stock that runs out under an existing instance
// neither changes its no-op plan nor blocks its destroy; a new instance of
// the sold-out type gets a plan warning naming the zones with stock.
func TestCLIStockWarnsAndNeverBlocksDestroy(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t, "ALIBABA_CLOUD_ACCESS_KEY_ID="+accAccessKey, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+accSecretKey)
	vm := func(name string) string {
		return fmt.Sprintf(`
resource "aliecs_instance" %q {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
}
`, name, c.image, c.vswitch, c.sg)
	}
	provider := fmt.Sprintf("provider \"aliecs\" {\n  region   = %q\n  endpoint = %q\n}\n", accRegion, env.server.URL)
	cli.write(provider + vm("a"))
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")

	if err := env.emu.SetStock(emulator.StockEntry{ZoneID: c.zone, InstanceType: "ecs.g7.large", SoldOut: true}); err != nil {
		t.Fatal(err)
	}
	if out := cli.mustRun("plan", "-detailed-exitcode", "-input=false", "-no-color"); !strings.Contains(out, "No changes") ||
		strings.Contains(out, "sold out") {
		t.Errorf("the no-op plan of an existing instance changed when its type sold out:\n%s", out)
	}
	cli.write(provider + vm("a") + vm("b"))
	out := cli.mustRun("plan", "-input=false", "-no-color")
	if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "Warning: The instance type is sold out in the zone") ||
		!strings.Contains(flat, "with stock: cn-hangzhou-i, cn-hangzhou-j") {
		t.Errorf("the plan of a new sold-out instance lacks the warning with the zones with stock:\n%s", out)
	}
	cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
	if n := len(env.emu.State().Instances); n != 0 {
		t.Errorf("%d instances after destroy", n)
	}
}

// A bare host:port endpoint (HTTPS) against the emulator's plain HTTP fails
// the plan at once with the hint, not after retries.
func TestCLIEndpointWithoutSchemeFailsFast(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	host := strings.TrimPrefix(env.server.URL, "http://")
	cli := newRelCLI(t, "ALIBABA_CLOUD_ACCESS_KEY_ID="+accAccessKey, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+accSecretKey,
		"ALIBABA_CLOUD_ENDPOINT_ECS="+host)
	cli.write(fmt.Sprintf(`
provider "aliecs" {
  region = %q
}

resource "aliecs_instance" "a" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
}
`, accRegion, c.image, c.vswitch, c.sg))
	start := time.Now()
	out, err := cli.run("plan", "-input=false", "-no-color")
	took := time.Since(start)
	t.Logf("plan failed after %s", took.Round(time.Millisecond))
	if err == nil {
		t.Fatalf("the plan succeeded over HTTPS to an HTTP endpoint:\n%s", out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Did you mean http://" + host + "?", "environment variable ALIBABA_CLOUD_ENDPOINT_ECS"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the error lacks %q:\n%s", want, out)
		}
	}
	if took > 20*time.Second { // terraform's own start-up included; the transport fails in milliseconds
		t.Errorf("the plan took %s", took)
	}
}
