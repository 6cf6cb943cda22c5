package provider

import (
	"context"
	"encoding/base64"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// stopFirst reports whether the instance is stopped before its final
// snapshot: the default, also for a state written before stop_first existed.
func (fs finalSnapshotModel) stopFirst() bool {
	return fs.StopFirst.IsNull() || fs.StopFirst.IsUnknown() || fs.StopFirst.ValueBool()
}

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
		UserData:                m.encodedUserData(),
		Password:                password,
		InternetMaxBandwidthOut: int(m.InternetMaxBandwidthOut.ValueInt64()),
		InternetChargeType:      m.InternetChargeType.ValueString(), // "" when unset: the service's default
		PrivateIP:               m.PrivateIP.ValueString(),          // "" when unset: the service picks one
		ResourceGroupID:         m.ResourceGroupID.ValueString(),    // "" when unset: the default group
		RAMRoleName:             m.RoleName.ValueString(),
		DeletionProtection:      m.DeletionProtection.ValueBool(),
		Spot:                    m.spotSpec(), // instance_spot.go
	}
	diags.Append(m.SecurityGroupIDs.ElementsAs(ctx, &in.SecurityGroupIDs, false)...)
	tags, d := tagsFromMap(ctx, m.Tags)
	diags.Append(d...)
	in.Tags = tags
	if !m.SystemDisk.IsNull() && !m.SystemDisk.IsUnknown() {
		var sd systemDiskModel
		diags.Append(m.SystemDisk.As(ctx, &sd, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
		in.SystemDisk = ecsapi.SystemDiskSpec{Category: sd.Category.ValueString(), Size: int(sd.Size.ValueInt64()),
			Name: sd.Name.ValueString(), Description: sd.Description.ValueString(), // "" when unknown
			PerformanceLevel: sd.PerformanceLevel.ValueString()}
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
				SnapshotID:         dd.SnapshotID.ValueString(), // "" when unknown or null
				Name:               dd.Name.ValueString(),
				Description:        dd.Description.ValueString(),
				PerformanceLevel:   dd.PerformanceLevel.ValueString(),
				Encrypted:          dd.Encrypted.ValueBool(),
				KMSKeyID:           dd.KMSKeyID.ValueString(),
			}
			if spec.Category == "" {
				spec.Category = defaultDiskCategory
			}
			in.DataDisks = append(in.DataDisks, spec)
		}
	}
	return in, diags
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
	m.Tags = tagsValue(userTags(inst.Tags), m.Tags)
	m.SourceSnapshotID = optionalString(inst.Tags[sourceSnapshotGroupTag])
	m.InternetMaxBandwidthOut = types.Int64Value(int64(inst.InternetMaxBandwidthOut))
	m.InternetChargeType = types.StringValue(internetChargeTypeOf(inst))
	m.KeyPairName = optionalString(inst.KeyPairName)
	m.DeletionProtection = types.BoolValue(inst.DeletionProtection)
	m.Status = types.StringValue(terraformStatus(inst.Status))
	if m.ForceDelete.IsNull() || m.ForceDelete.IsUnknown() {
		m.ForceDelete = types.BoolValue(false) // import: the default
	}

	m.PrivateIP = types.StringValue(inst.PrivateIP)
	m.ResourceGroupID = types.StringValue(inst.ResourceGroupID)
	m.InstanceChargeType = types.StringValue(inst.InstanceChargeType)
	m.PublicIP = types.StringValue(inst.PublicIP)
	m.SSHCommand = types.StringValue(sshCommand(inst.PublicIP, inst.PrivateIP))
	m.CreationTime = types.StringValue(apiTimeToRFC3339(inst.CreationTime))
	m.CPU = types.Int64Value(int64(inst.CPU))
	m.Memory = types.Int64Value(int64(inst.MemoryMiB))
	m.GPUAmount = types.Int64Value(int64(inst.GPUAmount))
	m.GPUSpec = types.StringValue(inst.GPUSpec)
	m.applySpot(inst.Spot) // instance_spot.go

	if !keepDisks {
		m.applyDisks(disks)
	} else if !m.DataDisks.IsNull() && !m.DataDisks.IsUnknown() {
		// A state written before snapshot_id existed plans it unknown on an
		// update: it is recorded as "" (no snapshot known).
		m.DataDisks = fillDataDisks(m.DataDisks, nil)
	}
}

// applyDisks fills the system disk, and the data disks when the state has
// none yet (create without data_disks, import). Data disks already in state
// are the ones the instance was created with and are kept as they are
// (only a snapshot_id still unknown after a create is filled in): DescribeDisks
// also lists disks attached later, which must not make the plan replace the
// instance. Data disks are matched by device name, in order.
func (m *instanceModel) applyDisks(disks []ecsapi.Disk) {
	m.SystemDiskID = types.StringValue("")
	var data []attr.Value
	var dataDisks []ecsapi.Disk
	for _, d := range disks {
		switch d.Type {
		case "system":
			m.SystemDiskID = types.StringValue(d.ID)
			m.SystemDisk = systemDiskValue(d)
		case "data":
			dataDisks = append(dataDisks, d)
		}
	}
	sort.SliceStable(dataDisks, func(i, j int) bool { return dataDisks[i].Device < dataDisks[j].Device })
	for _, d := range dataDisks {
		data = append(data, dataDiskValue(d)) // instance_data_disk_settings.go
	}
	if !m.DataDisks.IsNull() && !m.DataDisks.IsUnknown() {
		m.DataDisks = fillDataDisks(m.DataDisks, dataDisks)
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
	strs := []*types.String{&m.ImageID, &m.ZoneID, &m.InternetChargeType, &m.ResourceGroupID, &m.InstanceChargeType, &m.RoleName, &m.InstanceName, &m.Description, &m.HostName, &m.Status,
		&m.PrivateIP, &m.PublicIP, &m.SystemDiskID, &m.CreationTime, &m.SSHCommand, &m.GPUSpec, &m.PriceCurrency}
	if m.PricePerHour.IsUnknown() {
		m.PricePerHour = types.Float64Null()
	}
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
		for name, v := range a {
			if v.IsUnknown() {
				a[name] = nullOfType(systemDiskAttrTypes[name])
			}
		}
		m.SystemDisk = types.ObjectValueMust(systemDiskAttrTypes, a)
	}
	if m.DataDisks.IsUnknown() {
		m.DataDisks = types.ListNull(dataDiskObjectType)
	} else if !m.DataDisks.IsNull() {
		elems := m.DataDisks.Elements()
		for i, e := range elems {
			if obj, ok := e.(types.Object); ok && !obj.IsNull() && !obj.IsUnknown() {
				attrs := obj.Attributes()
				for name, v := range attrs {
					if v.IsUnknown() {
						attrs[name] = nullOfType(dataDiskAttrTypes[name])
					}
				}
				elems[i] = types.ObjectValueMust(dataDiskAttrTypes, attrs)
			}
		}
		m.DataDisks = types.ListValueMust(dataDiskObjectType, elems)
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

const defaultDiskCategory = "cloud_essd"

// apiTimeToRFC3339 turns the instance API's minute-precision time
// (yyyy-MM-ddTHH:mmZ) into RFC 3339 with seconds (yyyy-MM-ddTHH:mm:00Z), the
// form every other time in this provider uses. "" stays "" (no time set);
// a value in neither form is kept as the API gave it rather than lost.
func apiTimeToRFC3339(s string) string {
	if s == "" {
		return ""
	}
	for _, layout := range []string{"2006-01-02T15:04Z07:00", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return s
}

// terraformStatus maps the API's status to the two values the resource
// manages: a machine on its way up counts as Running, on its way down as Stopped.
func terraformStatus(apiStatus string) string {
	switch apiStatus {
	case ecsapi.StatusStopped, ecsapi.StatusStopping:
		return ecsapi.StatusStopped
	default:
		return ecsapi.StatusRunning
	}
}

// sshCommand is how a user reaches the machine: the public address when it
// has one, else the private one.
func sshCommand(publicIP, privateIP string) string {
	ip := publicIP
	if ip == "" {
		ip = privateIP
	}
	if ip == "" {
		return ""
	}
	return "ssh root@" + ip
}

// encodeUserData base64-encodes user data for RunInstances, which expects it so.
func encodeUserData(s string) string {
	if s == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// decodeUserData turns the service's base64 user data back into the plain
// text the configuration holds; data that is not base64 of UTF-8 text is
// kept as the service reports it.
func decodeUserData(s string) string {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(b) {
		return s
	}
	return string(b)
}

// nullOfType is the null value of a primitive attribute type.
func nullOfType(t attr.Type) attr.Value {
	switch t {
	case types.Int64Type:
		return types.Int64Null()
	case types.BoolType:
		return types.BoolNull()
	default:
		return types.StringNull()
	}
}

// systemDiskValue is the system_disk attribute of what the service reports.
func systemDiskValue(d ecsapi.Disk) types.Object {
	return types.ObjectValueMust(systemDiskAttrTypes, map[string]attr.Value{
		"category":          types.StringValue(d.Category),
		"size":              types.Int64Value(int64(d.Size)),
		"name":              types.StringValue(d.Name),
		"description":       types.StringValue(d.Description),
		"performance_level": types.StringValue(d.PerformanceLevel),
	})
}
