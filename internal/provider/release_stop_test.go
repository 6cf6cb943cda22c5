package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// How a release stops the instance, read from the emulator's call log.

// stopCalls lists the StopInstance calls the emulator accepted for an
// instance, each as "graceful" or "forced", in order.
func stopCalls(env *accEnv, id string) []string {
	var out []string
	for _, c := range env.emu.CallLog() {
		if c.Action != "StopInstance" || c.InstanceID != id || c.Code != "" {
			continue
		}
		if strings.EqualFold(c.ForceStop, "true") {
			out = append(out, "forced")
		} else {
			out = append(out, "graceful")
		}
	}
	return out
}

// checkStops compares an instance's stops with want.
func checkStops(env *accEnv, id string, want ...string) error {
	if got := stopCalls(env, id); strings.Join(got, ",") != strings.Join(want, ",") {
		return fmt.Errorf("instance %s was stopped %v, want %v", id, got, want)
	}
	return nil
}

// keptDiskInEmu finds the data disk of size GiB that a released instance
// left behind: detached and Available.
func keptDiskInEmu(env *accEnv, size int) error {
	for _, d := range env.emu.State().Disks {
		if d.Type == "data" && d.Size == size {
			if d.InstanceId != "" || d.Status != "Available" {
				return fmt.Errorf("kept disk %s is %s on %q, want Available and detached", d.DiskId, d.Status, d.InstanceId)
			}
			return nil
		}
	}
	return fmt.Errorf("no %d GiB data disk left in the emulator: the disk that should outlive the instance is gone", size)
}

// Destroy stops an instance gracefully when a data disk outlives it (a
// power-off can corrupt what is kept), and still powers off one whose disks
// all go with it.
func TestAccInstance_destroyStopsGracefullyWhenDiskKept(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var keptID, plainID string
	cfg := env.config(fmt.Sprintf(`
resource "aliecs_instance" "kept" {
  image_id           = %[1]q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
  data_disks = [
    { size = 20 },
    { size = 77, delete_with_instance = false },
  ]
}

resource "aliecs_instance" "plain" {
  image_id           = %[1]q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
  data_disks         = [{ size = 20 }]
}
`, c.image, c.vswitch, c.sg))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.instanceCheckNoneLeft(s); err != nil {
				return err
			}
			if err := checkStops(env, keptID, "graceful"); err != nil {
				return err
			}
			if err := checkStops(env, plainID, "forced"); err != nil {
				return err
			}
			return keptDiskInEmu(env, 77)
		},
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: resource.ComposeAggregateTestCheckFunc(
				instanceStateID("aliecs_instance.kept", &keptID),
				instanceStateID("aliecs_instance.plain", &plainID),
			),
		}},
	})
}

// aliecs_snapshot's release_instance_after_snapshot follows the same rule:
// a graceful stop when a data disk outlives the instance.
func TestAccSnapshot_releaseStopsGracefullyWhenDiskKept(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	req := ecs.CreateRunInstancesRequest()
	req.RegionId = accRegion
	req.ImageId = c.image
	req.InstanceType = "ecs.g7.large"
	req.VSwitchId = c.vswitch
	req.SecurityGroupId = c.sg
	req.SystemDiskCategory = "cloud_essd"
	req.Amount = requests.NewInteger(1)
	req.DataDisk = &[]ecs.RunInstancesDataDisk{{Category: "cloud_essd", Size: "77", DeleteWithInstance: "false"}}
	resp, err := accSDKClient(t, env).RunInstances(req)
	if err != nil || len(resp.InstanceIdSets.InstanceIdSet) != 1 {
		t.Fatalf("RunInstances: %v", err)
	}
	id := resp.InstanceIdSets.InstanceIdSet[0]
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id                     = %q
  release_instance_after_snapshot = true
}
`, id)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("aliecs_snapshot.test", "instance_released", "true"),
				func(*terraform.State) error {
					if env.instanceInEmu(id) != nil {
						return fmt.Errorf("instance %s was not released", id)
					}
					if err := checkStops(env, id, "graceful"); err != nil {
						return err
					}
					return keptDiskInEmu(env, 77)
				},
			),
		}},
	})
}

// The destroy warning names each kept data disk with its size, and says it
// is still billed; disks released with the instance are not named.
func TestKeptDisksNote(t *testing.T) {
	disks := []ecsapi.Disk{
		{ID: "d-sys", Type: "system", Category: "cloud_essd", Size: 40},
		{ID: "d-gone", Type: "data", Category: "cloud_essd", Size: 20, DeleteWithInstance: true},
		{ID: "d-kept1", Type: "data", Category: "cloud_essd", Size: 77},
		{ID: "d-kept2", Type: "data", Category: "cloud_auto", Size: 100},
	}
	note := keptDisksNote(outlivingDisks(disks))
	for _, want := range []string{"d-kept1 (77 GiB", "d-kept2 (100 GiB", "billed", "delete_with_instance = false"} {
		if !strings.Contains(note, want) {
			t.Errorf("note %q does not contain %q", note, want)
		}
	}
	for _, absent := range []string{"d-sys", "d-gone"} {
		if strings.Contains(note, absent) {
			t.Errorf("note %q names %s, which is released with the instance", note, absent)
		}
	}
	if got := keptDisksNote(outlivingDisks(disks[:2])); got != "" {
		t.Errorf("nothing kept: note = %q, want none", got)
	}
}

// force_delete is read from the state at destroy, as its documentation
// says: changed only in the configuration of the destroy, it is not used;
// changed and applied first (in place, no call), it is.
func TestAccInstance_forceDeleteFromStateAtDestroy(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	withForce := func(force bool) string {
		return env.config(instanceHCL(c, fmt.Sprintf("  force_delete = %t\n", force)))
	}
	var first, second string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.instanceCheckNoneLeft(s); err != nil {
				return err
			}
			return checkStops(env, second) // applied first: released without a stop
		},
		Steps: []resource.TestStep{
			{Config: withForce(false), Check: instanceStateID(instanceAddr, &first)},
			{Config: withForce(true), Destroy: true},
			{
				PreConfig: func() {
					if err := checkStops(env, first, "forced"); err != nil {
						t.Fatalf("force_delete = true only in the destroy's configuration: %v", err)
					}
				},
				Config: withForce(false),
				Check:  instanceStateID(instanceAddr, &second),
			},
			{
				PreConfig: func() { env.emu.ResetCalls() },
				Config:    withForce(true),
				Check: func(*terraform.State) error {
					if n := emuWrites(env); n != 0 {
						return fmt.Errorf("changing force_delete made %d write calls: %v", n, env.emu.Calls())
					}
					return nil
				},
			},
		},
	})
}

// When the disks cannot be read at destroy, the release does not know
// whether a disk outlives the instance: it stops gracefully, which is never
// harmful.
func TestAccInstance_destroyStopsGracefullyWhenDisksUnknown(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cfg := env.config(instanceHCL(c, ""))
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{Config: cfg, Check: instanceStateID(instanceAddr, &id)},
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "DescribeDisks", Code: "Forbidden.RAM", HTTPStatus: 403,
						Message: "User not authorized to operate on the specified resource."})
				},
				Config:  cfg,
				Destroy: true,
				Check:   func(*terraform.State) error { return nil },
			},
			{
				PreConfig: func() {
					if f := env.emu.Faults(); len(f) != 1 || f[0].Fired == 0 {
						t.Fatalf("the DescribeDisks fault did not fire: %+v", f)
					}
					env.emu.ClearFaults()
					if err := checkStops(env, id, "graceful"); err != nil {
						t.Fatal(err)
					}
				},
				Config: env.config(""),
			},
		},
	})
}

// The destroy warning names each data disk that outlives the instance, with
// its size, and says it is still billed. Delete is driven directly, to see
// the warning (Terraform's test framework does not expose warnings).
func TestAccInstance_destroyWarnsAboutKeptDisks(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	ctx := context.Background()
	client := env.instanceSDKClient()
	id, err := client.RunInstance(ctx, ecsapi.RunInstanceInput{
		ClientToken: newClientToken(), ImageID: c.image, InstanceType: "ecs.g7.large", VSwitchID: c.vswitch,
		SecurityGroupIDs: []string{c.sg}, SystemDisk: ecsapi.SystemDiskSpec{Category: "cloud_essd"},
		DataDisks: []ecsapi.DataDiskSpec{
			{Size: 20, Category: "cloud_essd", DeleteWithInstance: true},
			{Size: 77, Category: "cloud_essd", DeleteWithInstance: false},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var keptID, goneID string
	for _, d := range env.emu.State().Disks {
		switch {
		case d.InstanceId == id && d.Size == 77:
			keptID = d.DiskId
		case d.InstanceId == id && d.Size == 20:
			goneID = d.DiskId
		}
	}

	r := &instanceResource{data: &providerData{client: client, region: accRegion}}
	var sresp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sresp)
	nullObject := func(name string) types.Object {
		return types.ObjectNull(sresp.Schema.Attributes[name].GetType().(types.ObjectType).AttrTypes)
	}
	m := instanceModel{
		ID:               types.StringValue(id),
		SecurityGroupIDs: types.SetNull(types.StringType),
		Tags:             types.MapNull(types.StringType),
		SystemDisk:       nullObject("system_disk"),
		DataDisks:        types.ListNull(dataDiskObjectType),
		FinalSnapshot:    nullObject("final_snapshot"),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
			"create": types.StringType, "update": types.StringType, "delete": types.StringType})},
		ForceDelete: types.BoolValue(false),
	}
	st := tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)}
	if d := st.Set(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	resp := &fwresource.DeleteResponse{State: st}
	r.Delete(ctx, fwresource.DeleteRequest{State: st}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("destroy failed: %v", resp.Diagnostics)
	}
	if env.instanceInEmu(id) != nil {
		t.Fatalf("instance %s was not released", id)
	}
	warnings := resp.Diagnostics.Warnings()
	if len(warnings) != 1 || warnings[0].Summary() != "Data disks kept" {
		t.Fatalf("want one warning \"Data disks kept\", got %v", warnings)
	}
	detail := warnings[0].Detail()
	for _, want := range []string{keptID + " (77 GiB", "still billed", "delete_with_instance = false"} {
		if !strings.Contains(detail, want) {
			t.Errorf("warning %q does not contain %q", detail, want)
		}
	}
	if goneID == "" || strings.Contains(detail, goneID) {
		t.Errorf("warning %q names the disk released with the instance (%q)", detail, goneID)
	}
	if err := checkStops(env, id, "graceful"); err != nil {
		t.Error(err)
	}
}

// releaseRecords counts, per instance, the release calls (its own
// DeleteInstance or a shared DeleteInstances) the emulator accepted, and
// how many of those were shared.
func releaseRecords(env *accEnv) (perInstance map[string]int, shared int) {
	perInstance = map[string]int{}
	for _, c := range env.emu.CallLog() {
		if !isRelease(c.Action) || c.Code != "" || c.InstanceStatus == "" {
			continue // refused, or a repeat that found the machine gone
		}
		perInstance[c.InstanceID]++
		if c.Action == "DeleteInstances" {
			shared++
		}
	}
	return perInstance, shared
}

// A destroy of many machines: their stops end together, so their releases
// come together and share DeleteInstances calls, and every rule of a
// release still holds for each machine: released exactly once, the one
// with a kept disk stopped gracefully and its disk left, the others
// powered off.
func TestAccInstance_destroyOfManySharesReleases(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{StopTime: 2 * time.Second})
	c := newInstanceCatalog(t, env)
	var keptID string
	plainIDs := make([]string, 5)
	cfg := env.config(fmt.Sprintf(`
resource "aliecs_instance" "kept" {
  image_id           = %[1]q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
  data_disks         = [{ size = 77, delete_with_instance = false }]
}

resource "aliecs_instance" "plain" {
  count              = %[4]d
  image_id           = %[1]q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
  data_disks         = [{ size = 20 }]
}
`, c.image, c.vswitch, c.sg, len(plainIDs)))
	checks := []resource.TestCheckFunc{instanceStateID("aliecs_instance.kept", &keptID)}
	for i := range plainIDs {
		checks = append(checks, instanceStateID(fmt.Sprintf("aliecs_instance.plain.%d", i), &plainIDs[i]))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.instanceCheckNoneLeft(s); err != nil {
				return err
			}
			if err := checkStops(env, keptID, "graceful"); err != nil {
				return err
			}
			for _, id := range plainIDs {
				if err := checkStops(env, id, "forced"); err != nil {
					return err
				}
			}
			released, shared := releaseRecords(env)
			for _, id := range append([]string{keptID}, plainIDs...) {
				if released[id] != 1 {
					return fmt.Errorf("instance %s was released by %d calls, want exactly 1 (%v)", id, released[id], released)
				}
			}
			if shared == 0 {
				return fmt.Errorf("6 machines whose stops ended together were released one call each: %v", env.emu.Calls())
			}
			return keptDiskInEmu(env, 77)
		},
		Steps: []resource.TestStep{{Config: cfg, Check: resource.ComposeAggregateTestCheckFunc(checks...)}},
	})
}
