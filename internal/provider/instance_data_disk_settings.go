package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// The settings of each data disk besides its size: name, description and
// performance level change in place (ModifyDiskAttribute, ModifyDiskSpec,
// as for the system disk); encryption (encrypted, kms_key_id) is fixed when
// the disk is made, so a change replaces the instance
// (dataDisksReplaceReasons); device is what the service reports.

// dataDiskSettingsValidator refuses, on the attribute, settings the service
// would refuse or silently drop: a KMS key without encryption, and a
// performance level on a disk that is not cloud_essd.
type dataDiskSettingsValidator struct{}

func (dataDiskSettingsValidator) Description(context.Context) string {
	return "kms_key_id needs encrypted = true; performance_level needs category cloud_essd"
}

func (v dataDiskSettingsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (dataDiskSettingsValidator) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for i, e := range req.ConfigValue.Elements() {
		obj, ok := e.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		a := obj.Attributes()
		p := req.Path.AtListIndex(i)
		key, _ := a["kms_key_id"].(types.String)
		enc, _ := a["encrypted"].(types.Bool)
		if knownString(key) && key.ValueString() != "" && !enc.IsUnknown() && !enc.ValueBool() {
			resp.Diagnostics.AddAttributeError(p.AtName("kms_key_id"), "A KMS key needs encryption",
				fmt.Sprintf("data_disks[%d].kms_key_id is %q but encrypted is not true: the key encrypts the disk. "+
					"Set encrypted = true on this disk, or remove kms_key_id.", i, key.ValueString()))
		}
		pl, _ := a["performance_level"].(types.String)
		category, _ := a["category"].(types.String)
		if knownString(pl) && pl.ValueString() != "" && !category.IsUnknown() && !category.IsNull() &&
			category.ValueString() != defaultDiskCategory {
			resp.Diagnostics.AddAttributeError(p.AtName("performance_level"), "Performance level needs an ESSD disk",
				fmt.Sprintf("data_disks[%d].performance_level is %s, but only cloud_essd disks have a performance level "+
					"and this one is %s. Remove performance_level, or use category = \"cloud_essd\".", i,
					pl.ValueString(), category.ValueString()))
		}
	}
}

// changeDataDiskSettings applies a new name, description or performance
// level of the data disks the instance already has, in place.
func (r *instanceResource) changeDataDiskSettings(ctx context.Context, plan, state *instanceModel) error {
	if plan.DataDisks.IsNull() || plan.DataDisks.IsUnknown() || state.DataDisks.IsNull() || state.DataDisks.IsUnknown() {
		return nil
	}
	var pd, sd []dataDiskModel
	if plan.DataDisks.ElementsAs(ctx, &pd, false).HasError() || state.DataDisks.ElementsAs(ctx, &sd, false).HasError() {
		return nil
	}
	type change struct {
		index             int
		name, description *string
		level             string
	}
	var changes []change
	for i := range min(len(pd), len(sd)) {
		p, s := pd[i], sd[i]
		c := change{index: i}
		if knownString(p.Name) && p.Name.ValueString() != "" && !p.Name.Equal(s.Name) {
			v := p.Name.ValueString()
			c.name = &v
		}
		if knownString(p.Description) && !p.Description.Equal(s.Description) {
			v := p.Description.ValueString()
			c.description = &v
		}
		if knownString(p.PerformanceLevel) && p.PerformanceLevel.ValueString() != "" && !p.PerformanceLevel.Equal(s.PerformanceLevel) {
			c.level = p.PerformanceLevel.ValueString()
		}
		if c.name != nil || c.description != nil || c.level != "" {
			changes = append(changes, c)
		}
	}
	if len(changes) == 0 {
		return nil
	}
	client := r.data.client
	id := state.ID.ValueString()
	listed, err := client.ListDisks(ctx, id)
	if err != nil {
		return fmt.Errorf("listing its disks: %w", err)
	}
	disks := sortedDataDisks(listed)
	for _, c := range changes {
		disk, ok := dataDiskAt(disks, sd[c.index], c.index)
		label := fmt.Sprintf("data_disks[%d]", c.index)
		if !ok {
			return &resizeError{attr: path.Root("data_disks").AtListIndex(c.index), summary: "Cannot find the data disk",
				detail: fmt.Sprintf("Instance %s has no disk for %s any more (detached outside Terraform?): its "+
					"settings cannot change.", id, label)}
		}
		if err := client.ModifyDiskAttribute(ctx, disk.ID, c.name, c.description); err != nil {
			return fmt.Errorf("renaming %s (disk %s): %w", label, disk.ID, err)
		}
		if c.level != "" {
			if err := client.ModifyDiskPerformanceLevel(ctx, disk.ID, c.level); err != nil {
				return fmt.Errorf("changing the performance level of %s (disk %s): %w", label, disk.ID, err)
			}
		}
	}
	return nil
}

// dataDiskAt is the disk of data_disks[i]: the one on the device the state
// recorded, else the i-th in device order.
func dataDiskAt(disks []ecsapi.Disk, d dataDiskModel, i int) (ecsapi.Disk, bool) {
	if dev := d.Device.ValueString(); dev != "" {
		for _, disk := range disks {
			if disk.Device == dev {
				return disk, true
			}
		}
	}
	if i < len(disks) {
		return disks[i], true
	}
	return ecsapi.Disk{}, false
}

// dataDiskValue is one element of data_disks as the service reports the disk.
func dataDiskValue(d ecsapi.Disk) types.Object {
	return types.ObjectValueMust(dataDiskAttrTypes, map[string]attr.Value{
		"size":                 types.Int64Value(int64(d.Size)),
		"category":             types.StringValue(d.Category),
		"delete_with_instance": types.BoolValue(d.DeleteWithInstance),
		"snapshot_id":          types.StringValue(d.SourceSnapshotID),
		"name":                 types.StringValue(d.Name),
		"description":          types.StringValue(d.Description),
		"performance_level":    types.StringValue(d.PerformanceLevel),
		"encrypted":            types.BoolValue(d.Encrypted),
		"kms_key_id":           types.StringValue(d.KMSKeyID),
		"device":               types.StringValue(d.Device),
	})
}

// fillDataDisks fills in what the service reports of each data disk where
// the list does not know it: a snapshot_id still unknown after a create
// ("" for none), and the settings a configuration left out or a state
// written before they existed holds as null (the disks, in device order,
// are then at hand). Without disks, unknowns become "" or false.
func fillDataDisks(list types.List, disks []ecsapi.Disk) types.List {
	elems := list.Elements()
	changed := false
	for i, e := range elems {
		obj, ok := e.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		attrs := obj.Attributes()
		var reported map[string]attr.Value
		if i < len(disks) {
			reported = dataDiskValue(disks[i]).Attributes()
		}
		for name, t := range dataDiskAttrTypes {
			v, ok := attrs[name]
			if ok && !v.IsUnknown() && (!v.IsNull() || reported == nil || name == "snapshot_id" || name == "size" ||
				name == "category" || name == "delete_with_instance") {
				continue
			}
			switch {
			case reported != nil:
				attrs[name] = reported[name]
			case t == types.BoolType:
				attrs[name] = types.BoolValue(false)
			case t == types.Int64Type:
				continue
			default:
				attrs[name] = types.StringValue("")
			}
			changed = true
		}
		elems[i] = types.ObjectValueMust(dataDiskAttrTypes, attrs)
	}
	if !changed {
		return list
	}
	return types.ListValueMust(dataDiskObjectType, elems)
}

// dataDisksNeedRead reports whether the state's data disks lack what only
// a disk listing tells (a state written before device existed): the refresh
// then reads the disks once.
func dataDisksNeedRead(list types.List) bool {
	if list.IsNull() || list.IsUnknown() {
		return false
	}
	for _, e := range list.Elements() {
		obj, ok := e.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		if v, ok := obj.Attributes()["device"]; !ok || v.IsNull() || v.IsUnknown() {
			return true
		}
	}
	return false
}
