package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// finalSnapshotOrder is the order of the calls that acted on an instance at
// destroy: "stop:graceful", "stop:forced", "snapshot@<status>" (the status
// the instance had when its snapshot group was created) and "release".
func finalSnapshotOrder(env *accEnv, id string) []string {
	var out []string
	for _, c := range env.emu.CallLog() {
		if c.InstanceID != id || c.Code != "" {
			continue
		}
		switch c.Action {
		case "StopInstance":
			if strings.EqualFold(c.ForceStop, "true") {
				out = append(out, "stop:forced")
			} else {
				out = append(out, "stop:graceful")
			}
		case "CreateSnapshotGroup":
			out = append(out, "snapshot@"+c.InstanceStatus)
		case "DeleteInstance", "DeleteInstances":
			out = append(out, "release")
		}
	}
	return out
}

func checkOrder(env *accEnv, id string, want ...string) error {
	if got := finalSnapshotOrder(env, id); strings.Join(got, " ") != strings.Join(want, " ") {
		return fmt.Errorf("instance %s: calls %v, want %v", id, got, want)
	}
	return nil
}

// final_snapshot stops the instance gracefully before the snapshot (the
// snapshot is of a machine at rest), then releases it; stop_first = false
// keeps the old order: a crash-consistent snapshot of the running machine,
// then a power-off (nothing outlives it) and the release.
func TestAccInstance_finalSnapshotStopFirst(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var firstID, runningID string
	cfg := env.config(fmt.Sprintf(`
resource "aliecs_instance" "first" {
  image_id           = %[1]q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
  final_snapshot     = { name = "at-rest" }
}

resource "aliecs_instance" "running" {
  image_id           = %[1]q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
  final_snapshot     = { name = "crash-consistent", stop_first = false }
}
`, c.image, c.vswitch, c.sg))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.instanceCheckNoneLeft(s); err != nil {
				return err
			}
			if err := checkOrder(env, firstID, "stop:graceful", "snapshot@Stopped", "release"); err != nil {
				return err
			}
			return checkOrder(env, runningID, "snapshot@Running", "stop:forced", "release")
		},
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: resource.ComposeAggregateTestCheckFunc(
				instanceStateID("aliecs_instance.first", &firstID),
				instanceStateID("aliecs_instance.running", &runningID),
				resource.TestCheckResourceAttr("aliecs_instance.first", "final_snapshot.stop_first", "true"),
				resource.TestCheckResourceAttr("aliecs_instance.running", "final_snapshot.stop_first", "false"),
			),
		}},
	})
}

// A guest that does not shut down: after the bounded graceful wait (here
// half of a 20 s delete timeout) the instance is powered off, then
// snapshotted and released.
func TestAccInstance_finalSnapshotForcesAfterGracefulWait(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{GracefulStopTime: 24 * time.Hour})
	c := newInstanceCatalog(t, env)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.instanceCheckNoneLeft(s); err != nil {
				return err
			}
			for _, g := range env.emu.State().SnapshotGroups {
				if g.InstanceId == id && g.Status != "accomplished" {
					return fmt.Errorf("snapshot group %s is %s", g.SnapshotGroupId, g.Status)
				}
			}
			return checkOrder(env, id, "stop:graceful", "stop:forced", "snapshot@Stopped", "release")
		},
		Steps: []resource.TestStep{{
			Config: env.config(instanceHCL(c, `  final_snapshot = { name = "stuck-guest" }
  timeouts       = { delete = "20s" }`)),
			Check: instanceStateID(instanceAddr, &id),
		}},
	})
}

func TestGracefulStopBudget(t *testing.T) {
	for _, tc := range []struct {
		remaining   time.Duration
		hasDeadline bool
		want        time.Duration
	}{
		{0, false, gracefulStopWait},
		{20 * time.Minute, true, gracefulStopWait},
		{10 * time.Minute, true, gracefulStopWait},
		{8 * time.Minute, true, 4 * time.Minute},
		{20 * time.Second, true, 10 * time.Second},
		{-time.Second, true, 0},
	} {
		if got := gracefulStopBudget(tc.remaining, tc.hasDeadline); got != tc.want {
			t.Errorf("gracefulStopBudget(%s, %v) = %s, want %s", tc.remaining, tc.hasDeadline, got, tc.want)
		}
	}
}

// tfUnknown stands for a value not known at plan time in fsPlanValue.
type tfUnknown struct{}

// fsPlanValue builds a value of typ from Go values as toTF does, and also
// takes bools and tfUnknown.
func fsPlanValue(t *testing.T, typ tftypes.Type, v any) tftypes.Value {
	t.Helper()
	switch v := v.(type) {
	case nil:
		return tftypes.NewValue(typ, nil)
	case bool:
		return tftypes.NewValue(typ, v)
	case tfUnknown:
		return tftypes.NewValue(typ, tftypes.UnknownValue)
	case map[string]any:
		obj := typ.(tftypes.Object)
		vals := map[string]tftypes.Value{}
		for name, at := range obj.AttributeTypes {
			vals[name] = fsPlanValue(t, at, v[name])
		}
		return tftypes.NewValue(typ, vals)
	case []map[string]any:
		elem := typ.(tftypes.List).ElementType
		out := make([]tftypes.Value, 0, len(v))
		for _, m := range v {
			out = append(out, fsPlanValue(t, elem, m))
		}
		return tftypes.NewValue(typ, out)
	}
	return toTF(t, typ, v)
}

// fsModifyPlanRequest is the ModifyPlanRequest of an aliecs_instance with
// the given planned and prior attributes (nil: a create, or a destroy).
func fsModifyPlanRequest(t *testing.T, plan, state map[string]any) fwresource.ModifyPlanRequest {
	t.Helper()
	ctx := context.Background()
	var sresp fwresource.SchemaResponse
	(&instanceResource{}).Schema(ctx, fwresource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	val := func(m map[string]any) tftypes.Value {
		if m == nil {
			return tftypes.NewValue(typ, nil)
		}
		return fsPlanValue(t, typ, m)
	}
	return fwresource.ModifyPlanRequest{
		Config: tfsdk.Config{Schema: sresp.Schema, Raw: val(plan)},
		Plan:   tfsdk.Plan{Schema: sresp.Schema, Raw: val(plan)},
		State:  tfsdk.State{Schema: sresp.Schema, Raw: val(state)},
	}
}

// cliPhrases matches the phrases in order in Terraform's output, which wraps
// long diagnostics at any space.
func cliPhrases(phrases ...string) *regexp.Regexp {
	parts := make([]string, 0, len(phrases))
	for _, p := range phrases {
		words := strings.Fields(p)
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		parts = append(parts, strings.Join(words, `\s+`))
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}
