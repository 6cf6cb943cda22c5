package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// instanceModel is the aliecs_instance resource's data.
type instanceModel struct {
	ID                      types.String   `tfsdk:"id"`
	ImageID                 types.String   `tfsdk:"image_id"`
	InstanceType            types.String   `tfsdk:"instance_type"`
	VSwitchID               types.String   `tfsdk:"vswitch_id"`
	SecurityGroupIDs        types.Set      `tfsdk:"security_group_ids"`
	ZoneID                  types.String   `tfsdk:"zone_id"`
	InstanceName            types.String   `tfsdk:"instance_name"`
	Description             types.String   `tfsdk:"description"`
	HostName                types.String   `tfsdk:"host_name"`
	Tags                    types.Map      `tfsdk:"tags"`
	SystemDisk              types.Object   `tfsdk:"system_disk"`
	DataDisks               types.List     `tfsdk:"data_disks"`
	InternetMaxBandwidthOut types.Int64    `tfsdk:"internet_max_bandwidth_out"`
	KeyPairName             types.String   `tfsdk:"key_pair_name"`
	UserData                types.String   `tfsdk:"user_data"`
	PasswordWO              types.String   `tfsdk:"password_wo"`
	PasswordWOVersion       types.Int64    `tfsdk:"password_wo_version"`
	DeletionProtection      types.Bool     `tfsdk:"deletion_protection"`
	Status                  types.String   `tfsdk:"status"`
	StoppedMode             types.String   `tfsdk:"stopped_mode"`
	ForceDelete             types.Bool     `tfsdk:"force_delete"`
	FinalSnapshot           types.Object   `tfsdk:"final_snapshot"`
	Timeouts                timeouts.Value `tfsdk:"timeouts"`

	PrivateIP    types.String `tfsdk:"private_ip"`
	PublicIP     types.String `tfsdk:"public_ip"`
	SystemDiskID types.String `tfsdk:"system_disk_id"`
	CreationTime types.String `tfsdk:"creation_time"`
	SSHCommand   types.String `tfsdk:"ssh_command"`
	CPU          types.Int64  `tfsdk:"cpu"`
	Memory       types.Int64  `tfsdk:"memory"`
	GPUAmount    types.Int64  `tfsdk:"gpu_amount"`
	GPUSpec      types.String `tfsdk:"gpu_spec"`
}

type systemDiskModel struct {
	Category types.String `tfsdk:"category"`
	Size     types.Int64  `tfsdk:"size"`
}

type dataDiskModel struct {
	Size               types.Int64  `tfsdk:"size"`
	Category           types.String `tfsdk:"category"`
	DeleteWithInstance types.Bool   `tfsdk:"delete_with_instance"`
}

type finalSnapshotModel struct {
	Name          types.String `tfsdk:"name"`
	Description   types.String `tfsdk:"description"`
	RetentionDays types.Int64  `tfsdk:"retention_days"`
	StopFirst     types.Bool   `tfsdk:"stop_first"`
}

// stopFirst reports whether the instance is stopped before its final
// snapshot: the default, also for a state written before stop_first existed.
func (fs finalSnapshotModel) stopFirst() bool {
	return fs.StopFirst.IsNull() || fs.StopFirst.IsUnknown() || fs.StopFirst.ValueBool()
}

var (
	systemDiskAttrTypes = map[string]attr.Type{
		"category": types.StringType,
		"size":     types.Int64Type,
	}
	dataDiskAttrTypes = map[string]attr.Type{
		"size":                 types.Int64Type,
		"category":             types.StringType,
		"delete_with_instance": types.BoolType,
	}
	dataDiskObjectType = types.ObjectType{AttrTypes: dataDiskAttrTypes}
)

// runInput builds the RunInstances request from a plan. The password comes
// from the configuration (write-only values are never in the plan).
func (m *instanceModel) runInput(ctx context.Context, token, password string) (ecsapi.RunInstanceInput, diag.Diagnostics) {
	var diags diag.Diagnostics
	in := ecsapi.RunInstanceInput{
		ClientToken:             token,
		ImageID:                 m.ImageID.ValueString(),
		InstanceType:            m.InstanceType.ValueString(),
		VSwitchID:               m.VSwitchID.ValueString(),
		ZoneID:                  m.ZoneID.ValueString(), // "" when unknown: the service derives it from the vSwitch
		Name:                    m.InstanceName.ValueString(),
		Description:             m.Description.ValueString(),
		HostName:                m.HostName.ValueString(),
		KeyPairName:             m.KeyPairName.ValueString(),
		UserData:                encodeUserData(m.UserData.ValueString()),
		Password:                password,
		InternetMaxBandwidthOut: int(m.InternetMaxBandwidthOut.ValueInt64()),
		DeletionProtection:      m.DeletionProtection.ValueBool(),
	}
	diags.Append(m.SecurityGroupIDs.ElementsAs(ctx, &in.SecurityGroupIDs, false)...)
	tags, d := tagsFromMap(ctx, m.Tags)
	diags.Append(d...)
	in.Tags = tags
	if !m.SystemDisk.IsNull() && !m.SystemDisk.IsUnknown() {
		var sd systemDiskModel
		diags.Append(m.SystemDisk.As(ctx, &sd, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
		in.SystemDisk = ecsapi.SystemDiskSpec{Category: sd.Category.ValueString(), Size: int(sd.Size.ValueInt64())}
	}
	if in.SystemDisk.Category == "" {
		in.SystemDisk.Category = defaultDiskCategory
	}
	if !m.DataDisks.IsNull() && !m.DataDisks.IsUnknown() {
		var dds []dataDiskModel
		diags.Append(m.DataDisks.ElementsAs(ctx, &dds, false)...)
		for _, dd := range dds {
			spec := ecsapi.DataDiskSpec{
				Size:               int(dd.Size.ValueInt64()),
				Category:           dd.Category.ValueString(),
				DeleteWithInstance: dd.DeleteWithInstance.IsNull() || dd.DeleteWithInstance.IsUnknown() || dd.DeleteWithInstance.ValueBool(),
			}
			if spec.Category == "" {
				spec.Category = defaultDiskCategory
			}
			in.DataDisks = append(in.DataDisks, spec)
		}
	}
	return in, diags
}

// tagsFromMap turns a tags attribute into a Go map; null or unknown gives nil.
func tagsFromMap(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	if m.IsNull() || m.IsUnknown() {
		return nil, nil
	}
	out := map[string]string{}
	diags := m.ElementsAs(ctx, &out, false)
	return out, diags
}

// tagsValue is the state value of an instance's tags: null when it has none,
// unless the configuration said `tags = {}` (kept, so the result matches the plan).
func tagsValue(tags map[string]string, prior types.Map) types.Map {
	if len(tags) == 0 {
		if !prior.IsNull() && !prior.IsUnknown() && len(prior.Elements()) == 0 {
			return prior
		}
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]attr.Value, len(tags))
	for k, v := range tags {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// applyInstance copies what ECS reports about an instance and its disks into
// the model. Arguments the API cannot report back (password, stopped_mode,
// force_delete, final_snapshot, timeouts) keep their values; user_data is
// read at import only (readImportedUserData).
// keepDisks leaves the disk attributes as the state has them.
func (m *instanceModel) applyInstance(inst *ecsapi.Instance, disks []ecsapi.Disk, keepDisks bool) {
	m.ID = types.StringValue(inst.ID)
	m.ImageID = types.StringValue(inst.ImageID)
	m.InstanceType = types.StringValue(inst.InstanceType)
	m.VSwitchID = types.StringValue(inst.VSwitchID)
	m.SecurityGroupIDs = stringSet(inst.SecurityGroupIDs)
	m.ZoneID = types.StringValue(inst.ZoneID)
	m.InstanceName = types.StringValue(inst.Name)
	m.Description = types.StringValue(inst.Description)
	m.HostName = types.StringValue(inst.HostName)
	m.Tags = tagsValue(inst.Tags, m.Tags)
	m.InternetMaxBandwidthOut = types.Int64Value(int64(inst.InternetMaxBandwidthOut))
	m.KeyPairName = optionalString(inst.KeyPairName)
	m.DeletionProtection = types.BoolValue(inst.DeletionProtection)
	m.Status = types.StringValue(terraformStatus(inst.Status))
	if m.ForceDelete.IsNull() || m.ForceDelete.IsUnknown() {
		m.ForceDelete = types.BoolValue(false) // import: the default
	}

	m.PrivateIP = types.StringValue(inst.PrivateIP)
	m.PublicIP = types.StringValue(inst.PublicIP)
	m.SSHCommand = types.StringValue(sshCommand(inst.PublicIP, inst.PrivateIP))
	m.CreationTime = types.StringValue(apiTimeToRFC3339(inst.CreationTime))
	m.CPU = types.Int64Value(int64(inst.CPU))
	m.Memory = types.Int64Value(int64(inst.MemoryMiB))
	m.GPUAmount = types.Int64Value(int64(inst.GPUAmount))
	m.GPUSpec = types.StringValue(inst.GPUSpec)

	if !keepDisks {
		m.applyDisks(disks)
	}
}

// applyDisks fills the system disk, and the data disks when the state has
// none yet (create without data_disks, import). Data disks already in state
// are the ones the instance was created with and are kept as they are:
// DescribeDisks also lists disks attached later, which must not make the
// plan replace the instance.
func (m *instanceModel) applyDisks(disks []ecsapi.Disk) {
	m.SystemDiskID = types.StringValue("")
	var data []attr.Value
	for _, d := range disks {
		switch d.Type {
		case "system":
			m.SystemDiskID = types.StringValue(d.ID)
			m.SystemDisk = types.ObjectValueMust(systemDiskAttrTypes, map[string]attr.Value{
				"category": types.StringValue(d.Category),
				"size":     types.Int64Value(int64(d.Size)),
			})
		case "data":
			data = append(data, types.ObjectValueMust(dataDiskAttrTypes, map[string]attr.Value{
				"size":                 types.Int64Value(int64(d.Size)),
				"category":             types.StringValue(d.Category),
				"delete_with_instance": types.BoolValue(d.DeleteWithInstance),
			}))
		}
	}
	if !m.DataDisks.IsNull() && !m.DataDisks.IsUnknown() {
		return
	}
	if len(data) == 0 {
		m.DataDisks = types.ListNull(dataDiskObjectType)
		return
	}
	m.DataDisks = types.ListValueMust(dataDiskObjectType, data)
}

// nullUnknowns replaces every unknown value by null, so a model can be saved
// to state when an apply fails half-way (state cannot hold unknowns).
func (m *instanceModel) nullUnknowns() {
	strs := []*types.String{&m.ZoneID, &m.InstanceName, &m.Description, &m.HostName, &m.Status,
		&m.PrivateIP, &m.PublicIP, &m.SystemDiskID, &m.CreationTime, &m.SSHCommand, &m.GPUSpec}
	for _, s := range strs {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	ints := []*types.Int64{&m.InternetMaxBandwidthOut, &m.CPU, &m.Memory, &m.GPUAmount}
	for _, i := range ints {
		if i.IsUnknown() {
			*i = types.Int64Null()
		}
	}
	if m.SystemDisk.IsUnknown() {
		m.SystemDisk = types.ObjectNull(systemDiskAttrTypes)
	} else if !m.SystemDisk.IsNull() {
		a := m.SystemDisk.Attributes()
		if v, ok := a["size"].(types.Int64); ok && v.IsUnknown() {
			a["size"] = types.Int64Null()
		}
		if v, ok := a["category"].(types.String); ok && v.IsUnknown() {
			a["category"] = types.StringNull()
		}
		m.SystemDisk = types.ObjectValueMust(systemDiskAttrTypes, a)
	}
	if m.DataDisks.IsUnknown() {
		m.DataDisks = types.ListNull(dataDiskObjectType)
	}
	if m.Tags.IsUnknown() {
		m.Tags = types.MapNull(types.StringType)
	}
}

func stringSet(vals []string) types.Set {
	elems := make([]attr.Value, 0, len(vals))
	for _, v := range vals {
		elems = append(elems, types.StringValue(v))
	}
	return types.SetValueMust(types.StringType, elems)
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
