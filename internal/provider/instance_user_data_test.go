package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// SetKey lets memPrivate (auto_release_schedule_plan_test.go) take writes.
func (p memPrivate) SetKey(_ context.Context, k string, v []byte) diag.Diagnostics {
	p[k] = v
	return nil
}

func TestUserDataHash(t *testing.T) {
	ctx := context.Background()
	const script = "#!/bin/sh\necho token=s3cr3t-4711\n"
	a, b := memPrivate{}, memPrivate{}
	if d := rememberUserData(ctx, a, script); d.HasError() {
		t.Fatal(d)
	}
	_ = rememberUserData(ctx, b, script)
	raw := a[privateKeyUserDataHash]
	for _, leak := range []string{script, "s3cr3t-4711", base64.StdEncoding.EncodeToString([]byte(script))} {
		if bytes.Contains(raw, []byte(leak)) {
			t.Errorf("the private state holds %q: %s", leak, raw)
		}
	}
	if bytes.Equal(a[privateKeyUserDataHash], b[privateKeyUserDataHash]) {
		t.Error("two hashes of the same user data are equal: the salt is not random")
	}
	h := rememberedUserData(ctx, a)
	if h == nil || len(h.Salt) != 16 || h.Iterations != userDataHashIterations {
		t.Fatalf("remembered hash = %+v", h)
	}
	if !h.matches(script) {
		t.Error("the hash does not match the user data it was made of")
	}
	for _, other := range []string{"", script + " ", "#!/bin/sh\necho token=s3cr3t-4712\n"} {
		if h.matches(other) {
			t.Errorf("the hash matches %q", other)
		}
	}
	if rememberedUserData(ctx, memPrivate{}) != nil {
		t.Error("a private state without the key gives a hash")
	}
	if rememberedUserData(ctx, memPrivate{privateKeyUserDataHash: []byte("{")}) != nil {
		t.Error("a broken entry gives a hash")
	}
	var zero userDataHash
	if zero.matches("") || zero.matches("x") {
		t.Error("a zero hash matches")
	}
	// No user data: a marker, no hash; it matches only no user data.
	none := memPrivate{}
	_ = rememberUserData(ctx, none, "")
	if h := rememberedUserData(ctx, none); h == nil || !h.Empty || !h.matches("") || h.matches(script) || h.Salt != nil {
		t.Errorf("the entry for no user data = %s", none[privateKeyUserDataHash])
	}
	if h.matches("") {
		t.Error("a hash of user data matches none")
	}
}

// emuUserData is an instance's user data as the service keeps it, decoded.
func emuUserData(t *testing.T, env *accEnv, id string) string {
	t.Helper()
	return userDataVia(t, env.instanceSDKClient(), id)
}

// userDataVia reads an instance's user data with a given client, decoded.
func userDataVia(t *testing.T, client *ecsapi.Client, id string) string {
	t.Helper()
	enc, err := client.GetUserData(context.Background(), id)
	if err != nil {
		t.Fatalf("DescribeUserData %s: %v", id, err)
	}
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatalf("user data of %s is not base64: %q", id, enc)
	}
	return string(b)
}

// user_data_wo is sent at create and never stored; moving the same text
// between user_data and user_data_wo, or a new user_data_wo_version with the
// same text, changes the state only; a new version with another text
// replaces the instance with one that has it.
func TestAccInstance_userDataWriteOnly(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	const one, two = "#!/bin/sh\necho one\n", "#!/bin/sh\necho two\n"
	wo := func(text string, version int) string {
		return fmt.Sprintf("  user_data_wo = %q\n  user_data_wo_version = %d\n", text, version)
	}
	var id, first string
	writes := 0
	stateOnly := func(extra string) resource.TestStep {
		return resource.TestStep{
			Config: env.config(instanceHCL(c, extra)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), func(*terraform.State) error {
				if id != first {
					return fmt.Errorf("instance %s replaced by %s", first, id)
				}
				if n := emuWrites(env); n != writes {
					return fmt.Errorf("%d write calls (%v), want none", n-writes, env.emu.Calls())
				}
				return nil
			}),
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: env.config(instanceHCL(c, wo(one, 1))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("user_data_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("user_data"), knownvalue.Null()),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("user_data_wo_version"), knownvalue.Int64Exact(1)),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &first), func(*terraform.State) error {
					if got := emuUserData(t, env, first); got != one {
						return fmt.Errorf("the instance's user data is %q, want %q", got, one)
					}
					writes = emuWrites(env)
					return nil
				}),
			},
			stateOnly(fmt.Sprintf("  user_data = %q\n", one)), // the same text, now in user_data
			stateOnly(wo(one, 1)),                             // and back
			stateOnly(wo(one, 2)),                             // a new version of the same text
			{
				Config: env.config(instanceHCL(c, wo(two, 3))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), func(*terraform.State) error {
					if id == first {
						return fmt.Errorf("instance %s kept: a new user data must replace it", id)
					}
					if got := emuUserData(t, env, id); got != two {
						return fmt.Errorf("the new instance's user data is %q, want %q", got, two)
					}
					return nil
				}),
			},
			{
				// Back to the first text, in user_data: it differs from the
				// instance's (the second), so the instance is replaced.
				Config: env.config(instanceHCL(c, fmt.Sprintf("  user_data = %q\n", one))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
			},
		},
	})
}

// An imported instance keeps only a salted hash of its user data. The first
// plan: the same user data (either attribute) replaces nothing; another one
// plans the replacement a change plans, with a warning; none configured
// warns that the instance has user data the plan cannot change.
func TestAccInstance_userDataImport(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	const secret = "imp-wo-Secret-5b7e"
	script := "#!/bin/sh\necho " + secret + "\n"
	cli := newRelCLI(t)
	config := func(extra string) string {
		return relProvider(env, 2) + fmt.Sprintf(`
resource "aliecs_instance" "vm" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  force_delete       = true
%s
}
`, c.image, c.vswitch, c.sg, extra)
	}
	woConfig := config(fmt.Sprintf("  user_data_wo = %q\n  user_data_wo_version = 1\n", script))
	cli.write(woConfig)
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	id := cli.state().ids("aliecs_instance", "id")[0]
	cli.mustRun("state", "rm", "aliecs_instance.vm")
	cli.mustRun("import", "-input=false", "-no-color", "aliecs_instance.vm", id)
	stateFile := func() string {
		b, err := os.ReadFile(filepath.Join(cli.dir, "terraform.tfstate"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if s := stateFile(); strings.Contains(s, secret) || strings.Contains(s, strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(script)), "=")) {
		t.Fatalf("the import put the user data into the state:\n%s", s)
	}
	const differs = "user data differs from the configuration"
	plan := func(cfg string) string {
		t.Helper()
		cli.write(cfg)
		out, err := cli.run("plan", "-input=false", "-no-color")
		if err != nil {
			t.Fatalf("terraform plan: %v\n%s", err, out)
		}
		return out
	}
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }

	// Another user data: the replacement a change plans, and a warning.
	out := flat(plan(config("  user_data_wo = \"#!/bin/sh\\necho other\\n\"\n  user_data_wo_version = 1\n")))
	if !strings.Contains(out, "must be replaced") || !strings.Contains(out, differs) || !strings.Contains(out, id) {
		t.Errorf("another user_data_wo after the import: want a replacement and the warning, got:\n%s", out)
	}
	out = flat(plan(config("  user_data = \"#!/bin/sh\\necho other\\n\"\n")))
	if !strings.Contains(out, "must be replaced") || !strings.Contains(out, differs) {
		t.Errorf("another user_data after the import: want a replacement and the warning, got:\n%s", out)
	}
	// None configured: nothing the plan can change, a warning.
	out = flat(plan(config("")))
	if strings.Contains(out, "must be replaced") || !strings.Contains(out, differs) {
		t.Errorf("no user data configured after the import: want no replacement and the warning, got:\n%s", out)
	}
	// The same text in user_data: recorded in the state only, shown as sensitive.
	out = flat(plan(config(fmt.Sprintf("  user_data = %q\n", script))))
	if strings.Contains(out, "must be replaced") || strings.Contains(out, differs) || strings.Contains(out, secret) ||
		!strings.Contains(out, "user_data = (sensitive value)") {
		t.Errorf("the same user_data after the import: want an update showing (sensitive value), no warning, got:\n%s", out)
	}
	// The configuration it was made with: no replacement, no write.
	writes := emuWrites(env)
	out = flat(plan(woConfig))
	if strings.Contains(out, "must be replaced") || strings.Contains(out, differs) {
		t.Errorf("the same user_data_wo after the import: want no replacement and no warning, got:\n%s", out)
	}
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if n := emuWrites(env); n != writes {
		t.Errorf("the first apply after the import made %d write calls (%v), want none", n-writes, env.emu.Calls())
	}
	if got := cli.state().ids("aliecs_instance", "id"); len(got) != 1 || got[0] != id {
		t.Errorf("state holds %v, want %s", got, id)
	}
	if s := stateFile(); strings.Contains(s, secret) {
		t.Errorf("the state holds the write-only user data after the apply")
	}
	var st struct {
		Resources []struct {
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(stateFile()), &st); err != nil {
		t.Fatal(err)
	}
	if a := st.Resources[0].Instances[0].Attributes; a["user_data_wo_version"] != float64(1) || a["user_data"] != nil {
		t.Errorf("after the apply: user_data_wo_version = %v, user_data = %v; want 1 and null", a["user_data_wo_version"], a["user_data"])
	}
	if out, err := cli.run("plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Errorf("the plan after the first apply is not empty (%v):\n%s", err, out)
	}
	cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
}

// user_data_base64 is sent as it is: the machine gets the script, not its
// encoding (the double encoding a base64encode(...) in user_data would give).
// The same script moved to user_data changes the state only; another
// script replaces the instance; a value that is not base64, or two of the
// three attributes, are refused at plan.
func TestAccInstance_userDataBase64(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	const one, two = "#!/bin/sh\necho one\n", "#!/bin/sh\necho two\n"
	b64 := func(text string) string { return fmt.Sprintf("  user_data_base64 = base64encode(%q)\n", text) }
	var id, first string
	writes := 0
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config:      env.config(instanceHCL(c, "  user_data_base64 = \"#!/bin/sh\"\n")),
				ExpectError: regexp.MustCompile(`User data is not base64`),
			},
			{
				Config:      env.config(instanceHCL(c, b64(two)+fmt.Sprintf("  user_data = %q\n", two))),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*user_data`),
			},
			{
				Config: env.config(instanceHCL(c, b64(one))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &first), func(*terraform.State) error {
					if got := emuUserData(t, env, first); got != one {
						return fmt.Errorf("the instance's user data is %q, want %q", got, one)
					}
					writes = emuWrites(env)
					return nil
				}),
			},
			{
				Config: env.config(instanceHCL(c, fmt.Sprintf("  user_data = %q\n", one))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), func(*terraform.State) error {
					if id != first {
						return fmt.Errorf("instance %s replaced by %s", first, id)
					}
					if n := emuWrites(env); n != writes {
						return fmt.Errorf("%d write calls (%v), want none", n-writes, env.emu.Calls())
					}
					return nil
				}),
			},
			{
				Config: env.config(instanceHCL(c, b64(two))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), func(*terraform.State) error {
					if got := emuUserData(t, env, id); got != two {
						return fmt.Errorf("the new instance's user data is %q, want %q", got, two)
					}
					return nil
				}),
			},
		},
	})
}

// Plain user_data that already is base64 of text warns, naming
// user_data_base64; a script does not.
func TestUserDataLooksEncoded(t *testing.T) {
	for value, warns := range map[string]bool{
		base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\necho hi\n")):             true,
		base64.StdEncoding.EncodeToString([]byte("#cloud-config\npackages: [nginx]\n")): true,
		"#!/bin/bash\necho hi\n": false,
		"abcd":                   false, // too short to tell
		base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe, 0, 1, 2, 3}): false, // not text
	} {
		resp := &validator.StringResponse{}
		userDataLooksEncoded{}.ValidateString(context.Background(), validator.StringRequest{
			Path: pathUserData, ConfigValue: types.StringValue(value)}, resp)
		got := resp.Diagnostics.WarningsCount() > 0
		if got != warns {
			t.Errorf("%q: warns %v, want %v", value, got, warns)
		}
		if got && !strings.Contains(resp.Diagnostics[0].Detail(), "user_data_base64") {
			t.Errorf("%q: the warning does not name user_data_base64: %s", value, resp.Diagnostics[0].Detail())
		}
	}
}
