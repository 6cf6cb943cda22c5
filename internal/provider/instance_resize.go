package provider

import (
	"context"
	"errors"
	"fmt"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// Resize in place: instance_type changes on the same machine (stop, change,
// start again), disks grow (ResizeDisk), and data disks added at the end of
// the list are created and attached (instance_data_disks.go). What still
// replaces the instance: a disk's category, removing a data disk, and a data
// disk's arguments fixed at its creation (encryption, source snapshot).
// Shrinking a disk is a plan warning and an apply error before any call:
// the size in state may have been reached outside Terraform, so it must not
// block terraform destroy's plan.

// dataDisksReplaceIf replaces the instance when data disks are removed, or
// when an argument other than size changes; a size change is made in place
// (ResizeDisk), and so are disks added at the end (CreateDisk, AttachDisk).
var dataDisksReplaceIf = listplanmodifier.RequiresReplaceIf(
	func(_ context.Context, req planmodifier.ListRequest, resp *listplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = len(dataDisksReplaceReasons(req.StateValue, req.PlanValue, req.ConfigValue)) > 0
	},
	"Removing a data disk, or changing its category, delete_with_instance, snapshot_id, encrypted or kms_key_id, replaces the instance; a larger size, a new name, description or performance level, and a disk added at the end, are applied in place.",
	"Removing a data disk, or changing its `category`, `delete_with_instance`, `snapshot_id`, `encrypted` or `kms_key_id`, replaces the instance; a larger `size`, a new `name`, `description` or `performance_level`, and a disk added at the end of the list, are applied in place.",
)

// dataDisksReplaceReasons says why a change of data_disks replaces the
// instance: a different number of disks, or an argument other than size
// that changes. Nothing when only sizes change (or nothing does). config is
// the configured list (null when not at hand): a computed argument the
// configuration leaves out is not a change.
func dataDisksReplaceReasons(state, plan, config types.List) []string {
	if plan.IsUnknown() || state.IsUnknown() {
		return []string{"data_disks is known only after apply"}
	}
	before, after := state.Elements(), plan.Elements()
	if len(after) < len(before) {
		return []string{fmt.Sprintf("the number of data disks changes from %d to %d (removing a data disk replaces the instance)", len(before), len(after))}
	}
	var configured []attr.Value
	if !config.IsNull() && !config.IsUnknown() && len(config.Elements()) == len(after) {
		configured = config.Elements()[:len(before)]
	}
	// Disks added at the end are made in place (addDataDisks): only the
	// existing ones are compared.
	after = after[:len(before)]
	var reasons []string
	for i := range after {
		b, okb := before[i].(types.Object)
		a, oka := after[i].(types.Object)
		if !okb || !oka || a.IsUnknown() || b.IsUnknown() {
			if !after[i].Equal(before[i]) {
				reasons = append(reasons, fmt.Sprintf("data_disks[%d] changes", i))
			}
			continue
		}
		var cfg map[string]attr.Value
		if configured != nil {
			if c, ok := configured[i].(types.Object); ok && !c.IsNull() && !c.IsUnknown() {
				cfg = c.Attributes()
			}
		}
		ba, aa := b.Attributes(), a.Attributes()
		names := make([]string, 0, len(aa))
		for name := range aa {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if dataDiskInPlace[name] {
				continue
			}
			prior, ok := ba[name]
			switch {
			case !ok:
				continue
			case cfg != nil && cfg[name] != nil && cfg[name].IsNull() && (name == "snapshot_id" || name == "kms_key_id"):
				continue // computed: what the service reported
			case aa[name].IsUnknown() && cfg == nil:
				continue
			case prior.IsNull() && isEmptyString(aa[name]) || aa[name].IsNull() && isEmptyString(prior):
				continue // a state written before the attribute existed
			}
			if !aa[name].Equal(prior) {
				reasons = append(reasons, fmt.Sprintf("data_disks[%d].%s changes from %s to %s", i, name, prior, aa[name]))
			}
		}
	}
	return reasons
}

// dataDiskInPlace are the data disk attributes whose change never
// replaces the instance: applied in place (instance_data_disk_settings.go,
// resizeInPlace), or only read back (device).
var dataDiskInPlace = setOf("size", "name", "description", "performance_level", "device")

// isEmptyString: null, "" or false (a state written before the attribute
// existed has null where the plan has the default).
func isEmptyString(v attr.Value) bool {
	if b, ok := v.(types.Bool); ok {
		return b.IsNull() || !b.ValueBool()
	}
	s, ok := v.(types.String)
	return ok && (s.IsNull() || s.ValueString() == "")
}

// diskGrowth is one disk whose size grows in place.
type diskGrowth struct {
	label    string // "system_disk" or "data_disks[1]"
	index    int    // data disk index, -1 for the system disk
	category string
	from, to int64
}

// plannedDiskSizes compares the planned disk sizes with the state: the
// disks that grow, and an error on the attribute of each one that would
// shrink (the plan turns these into warnings, Update refuses them). Data
// disks are compared only when they are not being replaced.
func plannedDiskSizes(ctx context.Context, plan, state instanceModel, configDisks types.List) ([]diskGrowth, diag.Diagnostics) {
	var diags diag.Diagnostics
	var grows []diskGrowth
	check := func(p path.Path, label string, index int, category string, from, to types.Int64) {
		if from.IsNull() || from.IsUnknown() || to.IsNull() || to.IsUnknown() || from.Equal(to) {
			return
		}
		if to.ValueInt64() < from.ValueInt64() {
			diags.AddAttributeError(p, "Cannot shrink a disk",
				fmt.Sprintf("%s is %d GiB and the configuration asks for %d GiB, but ECS disks can only grow. "+
					"Set %s back to %d GiB or more. To get a smaller disk, make a new instance "+
					"(terraform apply -replace=ADDRESS) and copy the data.", label, from.ValueInt64(), to.ValueInt64(),
					p, from.ValueInt64()))
			return
		}
		grows = append(grows, diskGrowth{label: label, index: index, category: category, from: from.ValueInt64(), to: to.ValueInt64()})
	}
	var ps, ss systemDiskModel
	if knownObject(plan.SystemDisk) && knownObject(state.SystemDisk) &&
		!plan.SystemDisk.As(ctx, &ps, objectAsOptions).HasError() && !state.SystemDisk.As(ctx, &ss, objectAsOptions).HasError() &&
		ps.Category.Equal(ss.Category) {
		check(path.Root("system_disk").AtName("size"), "The system disk", -1, ss.Category.ValueString(), ss.Size, ps.Size)
	}
	if len(dataDisksReplaceReasons(state.DataDisks, plan.DataDisks, configDisks)) > 0 || plan.DataDisks.IsNull() || state.DataDisks.IsNull() {
		return grows, diags
	}
	var pd, sd []dataDiskModel
	if plan.DataDisks.ElementsAs(ctx, &pd, false).HasError() || state.DataDisks.ElementsAs(ctx, &sd, false).HasError() {
		return grows, diags
	}
	for i := range min(len(pd), len(sd)) {
		check(path.Root("data_disks").AtListIndex(i).AtName("size"), fmt.Sprintf("data_disks[%d]", i), i,
			sd[i].Category.ValueString(), sd[i].Size, pd[i].Size)
	}
	return grows, diags
}

func knownObject(o types.Object) bool { return !o.IsNull() && !o.IsUnknown() }

// onlineResizable reports whether a disk of this category grows while its
// instance runs (ResizeDisk Type=online); the basic "cloud" disk does not.
func onlineResizable(category string) bool { return category != "cloud" }

// resizePlanDiagnostics is the plan of an in-place resize of an existing
// instance (ModifyPlan calls it): a shrink is a warning on its attribute
// (the apply refuses it; a plan error would block terraform destroy); a
// type change and disk growth are warnings that say what restarts; the
// computed sizes of a new type become unknown; a disk change that replaces
// the instance says why.
func resizePlanDiagnostics(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		return
	}
	var plan, state instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || isTombstone(state) {
		return
	}
	configDisks := types.ListNull(dataDiskObjectType)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("data_disks"), &configDisks)...)
	if reasons := diskReplaceReasons(ctx, plan, state, configDisks); len(reasons) > 0 {
		resp.Diagnostics.AddWarning("The instance will be replaced",
			fmt.Sprintf("Instance %s is replaced by a new machine because %s. Its disks go with it (unless a "+
				"data disk has delete_with_instance = false, or final_snapshot is set). Only a larger size of a "+
				"disk, a disk's name, description and performance level, and a data disk added at the end of "+
				"data_disks, are applied in place.", state.ID.ValueString(),
				strings.Join(reasons, "; ")))
		return
	}
	if addedDataDisksWarning(ctx, plan, state, &resp.Diagnostics) { // instance_data_disks.go
		plan.DataDisks = unknownSnapshotIDs(plan.DataDisks, len(state.DataDisks.Elements()))
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("data_disks"), plan.DataDisks)...)
	}
	grows, shrinks := plannedDiskSizes(ctx, plan, state, configDisks)
	if shrinks.HasError() {
		for _, d := range shrinks.Errors() {
			detail := d.Detail() + " The apply refuses this change before any call; terraform destroy is not affected."
			if wp, ok := d.(diag.DiagnosticWithPath); ok {
				resp.Diagnostics.AddAttributeWarning(wp.Path(), d.Summary(), detail)
			} else {
				resp.Diagnostics.AddWarning(d.Summary(), detail)
			}
		}
		return
	}
	running := plan.Status.ValueString() != ecsapi.StatusStopped
	typeChanges := !plan.InstanceType.IsUnknown() && !plan.InstanceType.Equal(state.InstanceType)
	if typeChanges || plan.InstanceType.IsUnknown() {
		for _, name := range []string{"cpu", "memory", "gpu_amount"} {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), types.Int64Unknown())...)
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("gpu_spec"), types.StringUnknown())...)
	}
	if typeChanges {
		restart := "and starts it again (status is Running)"
		if !running {
			restart = "and leaves it stopped (status is Stopped)"
		}
		resp.Diagnostics.AddAttributeWarning(path.Root("instance_type"), "The instance restarts to change its type",
			fmt.Sprintf("Changing instance_type from %s to %s stops instance %s (gracefully; powered off if the "+
				"operating system has not shut down after 5 minutes), changes its type in place (its disks, "+
				"addresses and id are kept), %s. If the zone cannot provide %s (no stock, not supported), the apply "+
				"fails with the service's reason and the instance is left as it was, running again if it was.",
				state.InstanceType.ValueString(), plan.InstanceType.ValueString(), state.ID.ValueString(), restart,
				plan.InstanceType.ValueString()))
	}
	if len(grows) == 0 {
		return
	}
	var lines []string
	for _, g := range grows {
		how := "online: no restart"
		switch {
		case typeChanges || !running:
			how = "while the instance is stopped"
		case !onlineResizable(g.category):
			how = fmt.Sprintf("offline (a %s disk cannot grow online): the instance restarts", g.category)
		}
		lines = append(lines, fmt.Sprintf("%s: %d → %d GiB (%s)", g.label, g.from, g.to, how))
	}
	resp.Diagnostics.AddWarning("Disks grow in place",
		fmt.Sprintf("The disks of instance %s grow in place (ResizeDisk):\n- %s\nThe file system inside the guest "+
			"is not extended: grow the partition and the file system (for example growpart and resize2fs) to use "+
			"the new space. Disks cannot shrink back.", state.ID.ValueString(), strings.Join(lines, "\n- ")))
}

// diskReplaceReasons lists why the planned disks replace the instance.
func diskReplaceReasons(ctx context.Context, plan, state instanceModel, configDisks types.List) []string {
	var reasons []string
	var ps, ss systemDiskModel
	if knownObject(plan.SystemDisk) && knownObject(state.SystemDisk) &&
		!plan.SystemDisk.As(ctx, &ps, objectAsOptions).HasError() && !state.SystemDisk.As(ctx, &ss, objectAsOptions).HasError() &&
		!ps.Category.IsUnknown() && !ps.Category.Equal(ss.Category) {
		reasons = append(reasons, fmt.Sprintf("system_disk.category changes from %s to %s", ss.Category, ps.Category))
	}
	if !plan.DataDisks.Equal(state.DataDisks) && !(plan.DataDisks.IsNull() && state.DataDisks.IsNull()) {
		reasons = append(reasons, dataDisksReplaceReasons(state.DataDisks, plan.DataDisks, configDisks)...)
	}
	return reasons
}

// resizeError is a refused resize, reported on the attribute it concerns.
type resizeError struct {
	attr            path.Path
	summary, detail string
}

func (e *resizeError) Error() string { return e.detail }

// resizeInPlace applies a new instance type and larger disks to an existing
// instance. The type needs a stopped instance: it is stopped (graceful,
// bounded, then forced; KeepCharging so that a restart does not have to
// find the machine's resources again, unless the instance is to stay
// stopped), changed, and started again when the planned status is Running.
// A refused type change starts the instance again if it was running. Disks
// grow online while the instance runs when their category allows, otherwise
// offline, and an offline growth of a running instance restarts it.
func (r *instanceResource) resizeInPlace(ctx context.Context, plan, state *instanceModel) error {
	client := r.data.client
	id := state.ID.ValueString()
	typeChanges := !plan.InstanceType.IsUnknown() && !plan.InstanceType.Equal(state.InstanceType)
	grows, d := plannedDiskSizes(ctx, *plan, *state, types.ListNull(dataDiskObjectType))
	if d.HasError() {
		return errors.New("a disk cannot shrink")
	}
	if !typeChanges && len(grows) == 0 {
		return nil
	}
	inst, err := client.GetInstance(ctx, id)
	if err != nil {
		return err
	}
	wasRunning := inst.Status != ecsapi.StatusStopped && inst.Status != ecsapi.StatusStopping
	wantRunning := plan.Status.ValueString() != ecsapi.StatusStopped
	stopped := false
	if typeChanges {
		mode := stoppedModeKeepCharging
		if !wantRunning && !plan.StoppedMode.IsNull() {
			mode = plan.StoppedMode.ValueString()
		}
		tflog.Info(ctx, fmt.Sprintf("Resize: stopping instance %s to change its type from %s to %s",
			id, state.InstanceType.ValueString(), plan.InstanceType.ValueString()), map[string]any{"instance_id": id})
		if err := stopGracefullyWith(ctx, client, inst, mode); err != nil {
			r.startAgain(ctx, id, wasRunning)
			return fmt.Errorf("stopping it to change its type failed: %w", err)
		}
		stopped = wasRunning
		want := plan.InstanceType.ValueString()
		if err := client.ModifyInstanceType(ctx, id, want, newClientToken()); err != nil {
			again := r.startAgain(ctx, id, wasRunning)
			return &resizeError{attr: path.Root("instance_type"), summary: "Cannot change the instance type",
				detail: fmt.Sprintf("ECS refused to change instance %s from %s to %s: %s. The instance was left as "+
					"it was (type %s)%s. Choose a type the zone offers, or try again later when the refusal is "+
					"for stock (OperationDenied.NoStock).", id, state.InstanceType.ValueString(), want, err,
					state.InstanceType.ValueString(), again)}
		}
		if err := waitInstanceType(ctx, client, id, want); err != nil {
			return err
		}
	}
	if len(grows) > 0 {
		if inst, err = client.GetInstance(ctx, id); err != nil {
			return err
		}
		restart, err := growDisks(ctx, client, inst, state.SystemDiskID.ValueString(), grows)
		if err != nil {
			if stopped {
				r.startAgain(ctx, id, wasRunning && wantRunning)
			}
			return err
		}
		if restart && wantRunning && inst.Status == ecsapi.StatusRunning {
			// An offline growth reaches the guest at the next start.
			tflog.Info(ctx, fmt.Sprintf("Resize: stopping instance %s so that its disks' offline growth reaches the guest", id),
				map[string]any{"instance_id": id})
			if err := stopGracefullyWith(ctx, client, inst, stoppedModeKeepCharging); err != nil {
				return fmt.Errorf("restarting it for the offline disk growth: %w", err)
			}
			stopped = true
		}
	}
	if stopped && wantRunning {
		inst, err := client.GetInstance(ctx, id)
		if err != nil {
			return err
		}
		tflog.Info(ctx, fmt.Sprintf("Resize: starting instance %s again after the change", id), map[string]any{"instance_id": id})
		if err := startInstance(ctx, client, inst); err != nil {
			return fmt.Errorf("starting it again after the change failed: %w", err)
		}
	}
	return nil
}

// startAgain starts an instance that was running before a failed change,
// with its own deadline so it runs even when the update's has passed. It
// returns a note for the error that reports the failure.
func (r *instanceResource) startAgain(ctx context.Context, id string, wasRunning bool) string {
	if !wasRunning {
		return ""
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	inst, err := r.data.client.GetInstance(rctx, id)
	if err == nil {
		err = startInstance(rctx, r.data.client, inst)
	}
	if err != nil {
		return fmt.Sprintf(", but starting it again failed (%s): start it with status = \"Running\"", err)
	}
	return " and started again"
}

// waitInstanceType waits until DescribeInstances reports the new type.
func waitInstanceType(ctx context.Context, client *ecsapi.Client, id, want string) error {
	for delay := 500 * time.Millisecond; ; delay = min(2*delay, 10*time.Second) {
		inst, err := client.GetInstance(ctx, id)
		if err != nil {
			return err
		}
		if inst.InstanceType == want {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("instance %s still reports type %s instead of %s: %w", id, inst.InstanceType, want, ctx.Err())
		case <-time.After(delay):
		}
	}
}

// growDisks resizes the disks that grow: the system disk by its id, data
// disk i as the instance's i-th data disk by device name. A disk already at
// least as large (an earlier apply that failed half-way) is skipped. It
// reports whether an offline growth of a running instance needs a restart.
func growDisks(ctx context.Context, client *ecsapi.Client, inst *ecsapi.Instance, systemDiskID string, grows []diskGrowth) (bool, error) {
	disks, err := client.ListDisks(ctx, inst.ID)
	if err != nil {
		return false, err
	}
	var data []ecsapi.Disk
	for _, d := range disks {
		switch {
		case d.Type == "data":
			data = append(data, d)
		case d.Type == "system" && systemDiskID == "":
			systemDiskID = d.ID
		}
	}
	sort.SliceStable(data, func(i, j int) bool { return data[i].Device < data[j].Device })
	running := inst.Status == ecsapi.StatusRunning
	restart := false
	for _, g := range grows {
		var disk *ecsapi.Disk
		for i := range disks {
			if g.index < 0 && disks[i].ID == systemDiskID {
				disk = &disks[i]
			}
		}
		if g.index >= 0 && g.index < len(data) {
			disk = &data[g.index]
		}
		if disk == nil {
			return restart, fmt.Errorf("%s of instance %s was not found among its disks", g.label, inst.ID)
		}
		if int64(disk.Size) >= g.to {
			continue
		}
		online := running && onlineResizable(disk.Category)
		if err := client.ResizeDisk(ctx, disk.ID, int(g.to), online, newClientToken()); err != nil {
			return restart, &resizeError{attr: growthPath(g), summary: "Cannot grow the disk",
				detail: fmt.Sprintf("ECS refused to grow %s (%s) of instance %s from %d to %d GiB: %s", g.label,
					disk.ID, inst.ID, disk.Size, g.to, err)}
		}
		if running && !online {
			restart = true
		}
	}
	return restart, nil
}

func growthPath(g diskGrowth) path.Path {
	if g.index < 0 {
		return path.Root("system_disk").AtName("size")
	}
	return path.Root("data_disks").AtListIndex(g.index).AtName("size")
}

// refuseShrink adds an error on each disk the plan would shrink, before any
// call: the plan only warned, so that terraform destroy is not blocked.
func refuseShrink(ctx context.Context, plan, state instanceModel, diags *diag.Diagnostics) bool {
	_, shrinks := plannedDiskSizes(ctx, plan, state, types.ListNull(dataDiskObjectType))
	for _, d := range shrinks.Errors() {
		detail := d.Detail() + " Nothing was changed: no call was made."
		if wp, ok := d.(diag.DiagnosticWithPath); ok {
			diags.AddAttributeError(wp.Path(), d.Summary(), detail)
		} else {
			diags.AddError(d.Summary(), detail)
		}
	}
	return shrinks.HasError()
}
