package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// Data disks added at the end of data_disks are made in place: CreateDisk
// in the instance's zone, then AttachDisk (running or stopped, no restart).
// Removing a data disk still replaces the instance: a disk cannot be told
// apart from the others once the list shifts, and a kept disk
// (delete_with_instance = false) must never be deleted.

// addedDataDisks returns the index of the first added data disk and the
// added disks; none when the list does not grow or is not known.
func addedDataDisks(ctx context.Context, plan, state instanceModel) (int, []dataDiskModel) {
	if plan.DataDisks.IsNull() || plan.DataDisks.IsUnknown() || state.DataDisks.IsUnknown() {
		return 0, nil
	}
	var pd, sd []dataDiskModel
	if plan.DataDisks.ElementsAs(ctx, &pd, false).HasError() {
		return 0, nil
	}
	if !state.DataDisks.IsNull() && state.DataDisks.ElementsAs(ctx, &sd, false).HasError() {
		return 0, nil
	}
	if len(pd) <= len(sd) {
		return 0, nil
	}
	return len(sd), pd[len(sd):]
}

// addedDataDisksWarning says, in the plan, what adding data disks does. It
// reports whether the plan adds any.
func addedDataDisksWarning(ctx context.Context, plan, state instanceModel, diags *diag.Diagnostics) bool {
	first, added := addedDataDisks(ctx, plan, state)
	if len(added) == 0 {
		return false
	}
	lines := make([]string, 0, len(added))
	for i, d := range added {
		size := "size known after apply"
		if !d.Size.IsUnknown() {
			size = fmt.Sprintf("%d GiB", d.Size.ValueInt64())
		}
		keep := "released with the instance"
		if !d.DeleteWithInstance.ValueBool() {
			keep = "kept when the instance is released (delete_with_instance = false)"
		}
		lines = append(lines, fmt.Sprintf("data_disks[%d]: %s, %s, %s", first+i, size, d.Category.ValueString(), keep))
	}
	diags.AddWarning("Data disks are added in place",
		fmt.Sprintf("Instance %s keeps running (or stopped) as it is; each new data disk is created in its zone "+
			"(CreateDisk) and attached to it (AttachDisk), with no restart:\n- %s\nA new disk is a raw block device: "+
			"partition, format and mount it inside the guest.", state.ID.ValueString(), strings.Join(lines, "\n- ")))
	return true
}

// unknownSnapshotIDs plans the computed attributes of the data disks from
// index first on (snapshot_id, device, and the settings left out) as
// unknown where they are null: the service reports them once the disk exists.
func unknownSnapshotIDs(list types.List, first int) types.List {
	elems := list.Elements()
	for i := first; i < len(elems); i++ {
		obj, ok := elems[i].(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		attrs := obj.Attributes()
		for _, name := range []string{"snapshot_id", "name", "description", "performance_level", "kms_key_id", "device"} {
			if v, ok := attrs[name]; ok && v.IsNull() {
				attrs[name] = types.StringUnknown()
			}
		}
		elems[i] = types.ObjectValueMust(dataDiskAttrTypes, attrs)
	}
	return types.ListValueMust(dataDiskObjectType, elems)
}

// addDataDisks creates and attaches the data disks the plan adds.
func (r *instanceResource) addDataDisks(ctx context.Context, plan, state *instanceModel) error {
	first, added := addedDataDisks(ctx, *plan, *state)
	if len(added) == 0 {
		return nil
	}
	client := r.data.client
	id := state.ID.ValueString()
	zone := state.ZoneID.ValueString()
	if zone == "" {
		inst, err := client.GetInstance(ctx, id)
		if err != nil {
			return err
		}
		zone = inst.ZoneID
	}
	for i, d := range added {
		diskID, err := client.CreateDataDisk(ctx, ecsapi.DataDiskInput{
			ClientToken: newClientToken(), ZoneID: zone, Category: d.Category.ValueString(),
			Size: int(d.Size.ValueInt64()), SnapshotID: d.SnapshotID.ValueString(),
			Name: d.Name.ValueString(), Description: d.Description.ValueString(), // "" when unknown
			PerformanceLevel: d.PerformanceLevel.ValueString(), Encrypted: d.Encrypted.ValueBool(),
			KMSKeyID: d.KMSKeyID.ValueString(),
		})
		p := path.Root("data_disks").AtListIndex(first + i)
		if err != nil {
			return &resizeError{attr: p, summary: "Cannot create the data disk",
				detail: fmt.Sprintf("Creating data_disks[%d] for instance %s failed: %s. Nothing was attached.", first+i, id, err)}
		}
		if err := client.AttachDisk(ctx, id, diskID, d.DeleteWithInstance.ValueBool()); err != nil && !r.diskAttached(ctx, id, diskID) {
			return &resizeError{attr: p, summary: "Cannot attach the data disk",
				detail: fmt.Sprintf("Data disk %s was created for data_disks[%d], but attaching it to instance %s "+
					"failed: %s. The disk is kept, detached (Available, and billed): attach it in the console, or "+
					"delete it there; the next apply creates a new one.", diskID, first+i, id, err)}
		}
	}
	// The new disks' snapshot_id (computed) is what the service reports.
	if disks, err := client.ListDisks(ctx, id); err == nil {
		plan.DataDisks = fillDataDisks(plan.DataDisks, sortedDataDisks(disks))
	}
	return nil
}

// diskAttached reports whether a disk is attached to the instance: an
// attach whose answer was lost may have taken effect.
func (r *instanceResource) diskAttached(ctx context.Context, instanceID, diskID string) bool {
	disks, err := r.data.client.ListDisks(ctx, instanceID)
	if err != nil {
		return false
	}
	for _, d := range disks {
		if d.ID == diskID {
			return true
		}
	}
	return false
}

// keptDisksWarning says, in a plan that replaces the instance, what happens
// to each data disk with delete_with_instance = false: it is kept, detached,
// and the new machine does not get it back.
func (r *instanceResource) keptDisksWarning(ctx context.Context, req resource.ModifyPlanRequest, plan, state instanceModel, diags *diag.Diagnostics) {
	if r.data == nil || state.DataDisks.IsNull() || state.DataDisks.IsUnknown() || isTombstone(state) {
		return
	}
	var sd []dataDiskModel
	if state.DataDisks.ElementsAs(ctx, &sd, false).HasError() {
		return
	}
	kept := false
	for _, d := range sd {
		kept = kept || !d.DeleteWithInstance.IsNull() && !d.DeleteWithInstance.ValueBool()
	}
	if !kept {
		return
	}
	if replacing, d := tombstoneReplaced(ctx, req, plan, state); d.HasError() || !replacing {
		return
	}
	id := state.ID.ValueString()
	disks, err := r.data.client.ListDisks(ctx, id)
	if err != nil {
		diags.AddWarning("Cannot list the disks of the instance being replaced",
			fmt.Sprintf("Instance %s is replaced, and data disks with delete_with_instance = false are kept, "+
				"detached, and NOT attached to the new machine; listing them failed: %s", id, err))
		return
	}
	var lines []string
	i := 0
	for _, disk := range sortedDataDisks(disks) {
		if !disk.DeleteWithInstance {
			lines = append(lines, fmt.Sprintf("data disk %s (data_disks[%d], %d GiB, delete_with_instance = false) is "+
				"kept, detached, and will NOT be attached to the new machine", disk.ID, i, disk.Size))
		}
		i++
	}
	if len(lines) == 0 {
		return
	}
	diags.AddWarning("Kept data disks are not moved to the new machine",
		fmt.Sprintf("Instance %s is replaced by a new machine:\n- %s\nThe new machine gets new, empty disks for "+
			"data_disks. A kept disk stays in the zone, Available and billed: attach it to the new machine in the "+
			"console, or copy its data, or delete it when it is no longer needed.", id, strings.Join(lines, "\n- ")))
}

// sortedDataDisks are the data disks of a listing in device order, the
// order of data_disks.
func sortedDataDisks(disks []ecsapi.Disk) []ecsapi.Disk {
	var data []ecsapi.Disk
	for _, d := range disks {
		if d.Type == "data" {
			data = append(data, d)
		}
	}
	sort.SliceStable(data, func(i, j int) bool { return data[i].Device < data[j].Device })
	return data
}
