package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// TestAccReliability_unconfirmedInstance: an instance that stays invisible
// (eventual consistency) for longer than its create wait is saved tainted
// and "unconfirmed". A refresh keeps it (it is not "released outside
// Terraform": dropping it would leak the machine and create a second one);
// a destroy waits for it and, when it never shows up within the delete
// timeout, fails and keeps it. Once it is visible, the next apply releases
// it and creates its replacement: after every step the emulator holds
// exactly the instances of the state.
func TestAccReliability_unconfirmedInstance(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	const addr = "aliecs_instance.vm"
	hcl := func(create string) string {
		// The create wait honours timeouts.create (its ctx deadline): a
		// short one makes the invisible instance outlast it. The tainted
		// instance keeps the delete timeout it was created with.
		return env.config(fmt.Sprintf(`
resource "aliecs_instance" "vm" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  timeouts = {
    create = %q
    delete = "10s"
  }
}
`, c.image, c.vswitch, c.sg, create))
	}
	var first string
	tainted := func(s *terraform.State) error {
		rs := s.RootModule().Resources[addr]
		if rs == nil || rs.Primary == nil {
			return fmt.Errorf("%s is not in the state: the unseen instance was dropped (and would leak)", addr)
		}
		if !rs.Primary.Tainted {
			return fmt.Errorf("%s (%s) is not tainted", addr, rs.Primary.ID)
		}
		if first != "" && rs.Primary.ID != first {
			return fmt.Errorf("%s is %s, want the unseen instance %s", addr, rs.Primary.ID, first)
		}
		first = rs.Primary.ID
		return nil
	}
	oneInstance := func(*terraform.State) error {
		if n := len(env.emu.State().Instances); n != 1 {
			return fmt.Errorf("the emulator holds %d instances, want 1", n)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             relNothingLeft(env),
		Steps: []resource.TestStep{
			{
				// Invisible for an hour of emulator time: the 3 s wait runs out.
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "RunInstances", InvisibleForMS: int(time.Hour / time.Millisecond), Count: 1})
				},
				Config:      hcl("3s"),
				ExpectError: regexp.MustCompile(`(?s)Instance created but not ready.*tainted`),
			},
			{
				// A refresh does not find it and keeps it (a warning).
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              resource.ComposeTestCheckFunc(tainted, oneInstance, relConverged(env)),
			},
			{
				// The plan replaces the tainted instance: no second machine
				// is planned beside it.
				Config:             hcl("10m"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
			},
			{
				// A destroy waits for it, it never shows up: a clear error,
				// and it stays in the state.
				Config:      hcl("10m"),
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)Instance not visible yet; it was kept in the state.*` + `terraform state rm`),
			},
			{
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              resource.ComposeTestCheckFunc(tainted, oneInstance, relConverged(env)),
			},
			{
				// Visible at last: the apply releases it and creates one new
				// machine.
				PreConfig: func() { env.emu.AdvanceClock(2 * time.Hour) },
				Config:    hcl("10m"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				Check: resource.ComposeTestCheckFunc(relConverged(env), oneInstance, func(s *terraform.State) error {
					rs := s.RootModule().Resources[addr]
					if rs.Primary.ID == first || rs.Primary.Tainted {
						return fmt.Errorf("%s is %s (tainted %v): the unseen instance %s was not replaced",
							addr, rs.Primary.ID, rs.Primary.Tainted, first)
					}
					if n := env.emu.Calls()["RunInstances"]; n != 2 {
						return fmt.Errorf("RunInstances answered %d times, want 2 (one per machine)", n)
					}
					return nil
				}),
			},
		},
	})
	relRecord(t, env, 6)
}

// TestAccReliability_unconfirmedThenSeen: the first refresh that sees an
// unconfirmed instance clears the mark, so from then on it is an ordinary
// instance: released outside Terraform, it leaves the state (a warning).
func TestAccReliability_unconfirmedThenSeen(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	const addr = "aliecs_instance.vm"
	cfg := env.config(fmt.Sprintf(`
resource "aliecs_instance" "vm" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  timeouts = {
    create = "3s"
    delete = "10s" # a regression (the mark kept) fails the destroy quickly
  }
}
`, c.image, c.vswitch, c.sg))
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             relNothingLeft(env),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "RunInstances", InvisibleForMS: int(time.Hour / time.Millisecond), Count: 1})
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`Instance created but not ready`),
			},
			{
				// Visible now: the refresh sees it (and confirms it).
				PreConfig:          func() { env.emu.AdvanceClock(2 * time.Hour) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(relConverged(env), func(s *terraform.State) error {
					rs := s.RootModule().Resources[addr]
					if rs == nil || !rs.Primary.Tainted {
						return fmt.Errorf("%s: want the tainted instance in the state, got %+v", addr, rs)
					}
					id = rs.Primary.ID
					return nil
				}),
			},
			{
				// Released outside Terraform: an ordinary (confirmed) instance
				// becomes a tombstone.
				PreConfig: func() {
					if err := env.instanceSDKClient().DeleteInstance(context.Background(), id, true); err != nil {
						t.Fatalf("releasing %s outside Terraform: %v", id, err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(relConverged(env), func(s *terraform.State) error {
					if rs := s.RootModule().Resources[addr]; rs == nil || rs.Primary.Attributes["status"] != statusReleased {
						return fmt.Errorf("%s: want a tombstone (status Released): the mark was not cleared when it was seen; got %+v", addr, rs)
					}
					return nil
				}),
			},
		},
	})
	relRecord(t, env, 3)
}
