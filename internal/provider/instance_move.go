package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// Moving in from the official provider: Terraform 1.8 and later send the
// state of a `moved { from = alicloud_instance.x, to = aliecs_instance.x }`
// to MoveState with the source provider's address and type. The state is
// mapped from the source's raw JSON (no source schema is needed), so the
// first plan after the move finds the machine as it is and changes nothing:
// the move itself makes no call to the service, and the refresh that
// follows only reads.
//
// The official provider (the aliyun/alicloud registry address, schema
// version 0 of alicloud_instance) stores user_data as it was given and
// sends it as it is when it decodes as base64, encoded otherwise; so a
// base64 value goes to user_data_base64 and anything else to user_data, and
// the machine's user data is what it was either way. What aliecs_instance
// has no argument for is named in one warning (the machine keeps it); a
// subscription machine is refused, since this provider manages
// pay-as-you-go machines only (their auto-release and release need it).

var _ resource.ResourceWithMoveState = (*instanceResource)(nil)

const (
	alicloudProviderAddress = "registry.terraform.io/aliyun/alicloud"
	alicloudInstanceType    = "alicloud_instance"
	alicloudSnapshotGroup   = "alicloud_ecs_snapshot_group"
	alicloudPostPaid        = "PostPaid"

	// privateKeyMoved marks an instance moved in and not refreshed yet:
	// its first read prices it, as an import does.
	privateKeyMoved = "moved"
)

func (r *instanceResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: r.moveFromAlicloud}}
}

// alicloudInstance is what the move reads of an alicloud_instance state.
type alicloudInstance struct {
	ID                       string             `json:"id"`
	ImageID                  string             `json:"image_id"`
	InstanceType             string             `json:"instance_type"`
	VSwitchID                string             `json:"vswitch_id"`
	SubnetID                 string             `json:"subnet_id"`
	SecurityGroups           []string           `json:"security_groups"`
	AvailabilityZone         string             `json:"availability_zone"`
	InstanceName             string             `json:"instance_name"`
	Description              string             `json:"description"`
	HostName                 string             `json:"host_name"`
	Tags                     map[string]string  `json:"tags"`
	SystemDiskCategory       string             `json:"system_disk_category"`
	SystemDiskSize           int64              `json:"system_disk_size"`
	SystemDiskID             string             `json:"system_disk_id"`
	SystemDiskName           string             `json:"system_disk_name"`
	SystemDiskDescription    string             `json:"system_disk_description"`
	SystemDiskPL             string             `json:"system_disk_performance_level"`
	DataDisks                []alicloudDataDisk `json:"data_disks"`
	InternetMaxBandwidthOut  int64              `json:"internet_max_bandwidth_out"`
	KeyName                  string             `json:"key_name"`
	UserData                 *string            `json:"user_data"`
	DeletionProtection       bool               `json:"deletion_protection"`
	Status                   string             `json:"status"`
	StoppedMode              string             `json:"stopped_mode"`
	ForceDelete              *bool              `json:"force_delete"`
	SpotStrategy             string             `json:"spot_strategy"`
	SpotPriceLimit           *float64           `json:"spot_price_limit"`
	SpotDuration             *int64             `json:"spot_duration"`
	InstanceChargeType       string             `json:"instance_charge_type"`
	AutoReleaseTime          string             `json:"auto_release_time"`
	PrivateIP                string             `json:"private_ip"`
	PublicIP                 string             `json:"public_ip"`
	CPU                      int64              `json:"cpu"`
	Memory                   int64              `json:"memory"`
	CreateTime               string             `json:"create_time"`
	SpotInterruptionBehavior string             `json:"spot_instance_interruption_behavior"`
	InternetChargeType       string             `json:"internet_charge_type"`
	ResourceGroupID          string             `json:"resource_group_id"`
	RoleName                 string             `json:"role_name"`
}

type alicloudDataDisk struct {
	Size               int64  `json:"size"`
	Category           string `json:"category"`
	DeleteWithInstance *bool  `json:"delete_with_instance"`
	SnapshotID         string `json:"snapshot_id"`
	Name               string `json:"name"`
	Description        string `json:"description"`
	PerformanceLevel   string `json:"performance_level"`
	Encrypted          bool   `json:"encrypted"`
	KMSKeyID           string `json:"kms_key_id"`
	Device             string `json:"device"`
}

// alicloudInstanceMapped are the source's attributes the move carries over
// (or that only report what the service computes); every other attribute
// with a value that is not its neutral one is named in the warning.
var alicloudInstanceMapped = setOf("id", "image_id", "instance_type", "vswitch_id", "subnet_id", "security_groups",
	"availability_zone", "instance_name", "description", "host_name", "tags", "system_disk_category",
	"system_disk_size", "system_disk_id", "system_disk_name", "system_disk_description", "system_disk_performance_level", "data_disks", "internet_max_bandwidth_out", "internet_charge_type", "resource_group_id", "role_name", "key_name", "user_data",
	"deletion_protection", "status", "stopped_mode", "force_delete", "spot_strategy", "spot_price_limit",
	"spot_duration", "instance_charge_type", "private_ip", "public_ip", "cpu", "memory", "create_time",
	"auto_release_time", "password", "kms_encrypted_password", "kms_encryption_context",
	// computed by the service, or settings of the official provider itself
	"os_name", "os_type", "start_time", "expired_time", "primary_ip_address", "network_interface_id", "vpc_id",
	"internet_max_bandwidth_in", "deployment_set_group_no", "timeouts", "dry_run", "include_data_disks",
	"is_outdated", "auto_renew_period", "renewal_status", "period", "period_unit", "volume_tags",
	"spot_instance_interruption_behavior")

// alicloudDataDiskMapped: every data disk setting with an equivalent.
var alicloudDataDiskMapped = setOf("size", "category", "delete_with_instance", "snapshot_id", "device", "name",
	"description", "performance_level", "encrypted", "kms_key_id")

// alicloudNeutral are values the official provider reports for a setting
// nobody made (the service's defaults), besides null, "", 0, false and empty.
var alicloudNeutral = map[string]string{
	"http_endpoint": "enabled", "http_tokens": "optional", "maintenance_action": "AutoRecover",
	"private_pool_options_match_criteria": "Open",
	"system_disk_performance_level":       "PL1", "security_enhancement_strategy": "Active",
}

func (r *instanceResource) moveFromAlicloud(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if req.SourceTypeName != alicloudInstanceType || !isAlicloudAddress(req.SourceProviderAddress) {
		resp.Diagnostics.AddError("Cannot move this resource into aliecs_instance",
			fmt.Sprintf("aliecs_instance accepts a moved block only from alicloud_instance of the official "+
				"provider (%s); the source is %s of %s. Remove the moved block and import the machine instead "+
				"(an import block for aliecs_instance with the instance id).",
				alicloudProviderAddress, req.SourceTypeName, req.SourceProviderAddress))
		return
	}
	if req.SourceSchemaVersion != 0 || req.SourceRawState == nil || len(req.SourceRawState.JSON) == 0 {
		resp.Diagnostics.AddError("Cannot move this alicloud_instance",
			fmt.Sprintf("The move understands alicloud_instance states of schema version 0 written as JSON; this one "+
				"has schema version %d. Import the machine instead (an import block for aliecs_instance with the "+
				"instance id).", req.SourceSchemaVersion))
		return
	}
	var src alicloudInstance
	var raw map[string]any
	if err := json.Unmarshal(req.SourceRawState.JSON, &src); err != nil {
		resp.Diagnostics.AddError("Cannot read the alicloud_instance state", err.Error())
		return
	}
	if err := json.Unmarshal(req.SourceRawState.JSON, &raw); err != nil {
		resp.Diagnostics.AddError("Cannot read the alicloud_instance state", err.Error())
		return
	}
	if src.ID == "" {
		resp.Diagnostics.AddError("Cannot move this alicloud_instance", "Its state has no instance id.")
		return
	}
	if ct := src.InstanceChargeType; ct != "" && ct != alicloudPostPaid {
		resp.Diagnostics.AddError("Cannot move a subscription instance",
			fmt.Sprintf("Instance %s is billed as %s (subscription). aliecs_instance manages pay-as-you-go "+
				"(PostPaid) machines only: releasing a machine, and scheduling its automatic release, need "+
				"pay-as-you-go billing. Convert it to pay-as-you-go first (ModifyInstanceChargeType, or the "+
				"console), refresh it with the official provider, then move it; or keep it under alicloud_instance.",
				src.ID, ct))
		return
	}
	m, d := src.model()
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, &m)...)
	if resp.TargetPrivate != nil {
		resp.Diagnostics.Append(rememberUserData(ctx, resp.TargetPrivate, src.machineUserData())...)
		resp.Diagnostics.Append(resp.TargetPrivate.SetKey(ctx, privateKeyMoved, []byte(`true`))...)
	}
	if unmapped := alicloudUnmapped(raw); len(unmapped) > 0 {
		resp.Diagnostics.AddWarning("Settings aliecs_instance does not manage",
			fmt.Sprintf("Instance %s was moved from alicloud_instance with settings aliecs_instance has no "+
				"argument for: %s. The machine keeps them as they are; remove them from the configuration, and "+
				"change them in the console or the API if needed.", src.ID, strings.Join(unmapped, ", ")))
	}
	if src.AutoReleaseTime != "" {
		resp.Diagnostics.AddWarning("Automatic release time kept by the service",
			fmt.Sprintf("Instance %s is scheduled to be released at %s. aliecs_instance does not manage the "+
				"schedule: bring it under aliecs_auto_release_schedule with an import block (to = "+
				"aliecs_auto_release_schedule.NAME, id = %q) and release_time = %q; the import makes no change.",
				src.ID, src.AutoReleaseTime, src.ID, src.AutoReleaseTime))
	}
	if src.hasPassword(raw) {
		resp.Diagnostics.AddWarning("Password not moved",
			fmt.Sprintf("Instance %s keeps its login password, which is not moved into the state: aliecs_instance "+
				"takes a password only as the write-only password_wo (sent when password_wo_version changes).", src.ID))
	}
}

// model maps the source state onto aliecs_instance's state.
func (src alicloudInstance) model() (instanceModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	vsw := src.VSwitchID
	if vsw == "" {
		vsw = src.SubnetID
	}
	m := instanceModel{
		ID:                      types.StringValue(src.ID),
		ImageID:                 optionalString(src.ImageID),
		SourceSnapshotID:        types.StringNull(),
		InstanceType:            types.StringValue(src.InstanceType),
		VSwitchID:               types.StringValue(vsw),
		SecurityGroupIDs:        stringSet(src.SecurityGroups),
		ZoneID:                  optionalString(src.AvailabilityZone),
		InstanceName:            types.StringValue(src.InstanceName),
		Description:             types.StringValue(src.Description),
		HostName:                types.StringValue(src.HostName),
		Tags:                    tagsValue(src.Tags, types.MapNull(types.StringType)),
		InternetMaxBandwidthOut: types.Int64Value(src.InternetMaxBandwidthOut),
		InternetChargeType:      types.StringValue(src.InternetChargeType),
		KeyPairName:             optionalString(src.KeyName),
		UserData:                types.StringNull(),
		UserDataBase64:          types.StringNull(),
		UserDataWO:              types.StringNull(),
		UserDataWOVersion:       types.Int64Null(),
		PasswordWO:              types.StringNull(),
		PasswordWOVersion:       types.Int64Null(),
		DeletionProtection:      types.BoolValue(src.DeletionProtection),
		Status:                  types.StringValue(terraformStatus(src.Status)),
		StoppedMode:             types.StringNull(),
		ForceDelete:             types.BoolValue(src.ForceDelete != nil && *src.ForceDelete),
		FinalSnapshot:           nullOfObject(instanceSchemaAttrTypes("final_snapshot")),
		Timeouts:                timeouts.Value{Object: nullOfObject(instanceSchemaAttrTypes("timeouts"))},
		PrivateIP:               types.StringValue(src.PrivateIP),
		ResourceGroupID:         types.StringValue(src.ResourceGroupID),
		RoleName:                types.StringValue(src.RoleName),
		InstanceChargeType:      types.StringValue(alicloudPostPaid),
		PublicIP:                types.StringValue(src.PublicIP),
		SSHCommand:              types.StringValue(sshCommand(src.PublicIP, src.PrivateIP)),
		SystemDiskID:            types.StringValue(src.SystemDiskID),
		CreationTime:            types.StringValue(apiTimeToRFC3339(src.CreateTime)),
		CPU:                     types.Int64Value(src.CPU),
		Memory:                  types.Int64Value(src.Memory),
		// GPUs and the price are read by the first refresh (privateKeyMoved).
		GPUAmount:     types.Int64Value(0),
		GPUSpec:       types.StringValue(""),
		PricePerHour:  types.Float64Null(),
		PriceCurrency: types.StringNull(),
	}
	if src.InternetChargeType == "" {
		m.InternetChargeType = types.StringValue(chargePayByTraffic)
	}
	if mode := src.StoppedMode; mode == stoppedModeKeepCharging || mode == stoppedModeStopCharging {
		m.StoppedMode = types.StringValue(mode)
	}
	if ud := src.UserData; ud != nil && *ud != "" {
		if _, err := base64.StdEncoding.DecodeString(*ud); err == nil {
			m.UserDataBase64 = types.StringValue(*ud)
		} else {
			m.UserData = types.StringValue(*ud)
		}
	}
	spot := ecsapi.SpotSpec{Strategy: src.SpotStrategy, Interruption: src.SpotInterruptionBehavior, Duration: 1}
	if src.SpotDuration != nil {
		spot.Duration = int(*src.SpotDuration)
	}
	if src.SpotPriceLimit != nil {
		spot.PriceLimit = *src.SpotPriceLimit
	}
	m.SpotPriceLimit = types.Float64Null()
	m.applySpot(spot) // instance_spot.go

	m.SystemDisk = systemDiskValue(ecsapi.Disk{Category: src.SystemDiskCategory, Size: int(src.SystemDiskSize),
		Name: src.SystemDiskName, Description: src.SystemDiskDescription, PerformanceLevel: src.SystemDiskPL})
	m.DataDisks = types.ListNull(dataDiskObjectType)
	if len(src.DataDisks) > 0 {
		disks := make([]attr.Value, 0, len(src.DataDisks))
		for _, dd := range src.DataDisks {
			category := dd.Category
			if category == "" {
				category = defaultDiskCategory
			}
			// The official provider stores "" for what nobody set (device,
			// a default performance level): null, which the first refresh
			// reads from the disk (one DescribeDisks, no write).
			disks = append(disks, types.ObjectValueMust(dataDiskAttrTypes, map[string]attr.Value{
				"size":                 types.Int64Value(dd.Size),
				"category":             types.StringValue(category),
				"delete_with_instance": types.BoolValue(dd.DeleteWithInstance == nil || *dd.DeleteWithInstance),
				"snapshot_id":          types.StringValue(dd.SnapshotID),
				"name":                 optionalString(dd.Name),
				"description":          optionalString(dd.Description),
				"performance_level":    optionalString(dd.PerformanceLevel),
				"encrypted":            types.BoolValue(dd.Encrypted),
				"kms_key_id":           optionalString(dd.KMSKeyID),
				"device":               optionalString(dd.Device),
			}))
		}
		list, d := types.ListValue(dataDiskObjectType, disks)
		diags.Append(d...)
		m.DataDisks = list
	}
	return m, diags
}

// machineUserData is the user data the machine got: the official provider
// sends a base64 value as it is, and encodes anything else.
func (src alicloudInstance) machineUserData() string {
	if src.UserData == nil {
		return ""
	}
	return decodeUserData(*src.UserData)
}

func (src alicloudInstance) hasPassword(raw map[string]any) bool {
	for _, k := range []string{"password", "kms_encrypted_password"} {
		if s, ok := raw[k].(string); ok && s != "" {
			return true
		}
	}
	return false
}

// alicloudUnmapped names, as "name = value", every attribute of the source
// state with a value set that the move does not carry over.
func alicloudUnmapped(raw map[string]any) []string {
	var out []string
	for k, v := range raw {
		if alicloudInstanceMapped[k] || alicloudIsNeutral(k, v) {
			continue
		}
		out = append(out, k+" = "+alicloudShow(v))
	}
	if disks, ok := raw["data_disks"].([]any); ok {
		for i, d := range disks {
			obj, _ := d.(map[string]any)
			for k, v := range obj {
				if alicloudDataDiskMapped[k] || alicloudIsNeutral(k, v) {
					continue
				}
				out = append(out, fmt.Sprintf("data_disks[%d].%s = %s", i, k, alicloudShow(v)))
			}
		}
	}
	sort.Strings(out)
	return out
}

// alicloudIsNeutral: null, "", 0, false, empty, a default of the service,
// or a list or object made only of those.
func alicloudIsNeutral(key string, v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == "" || alicloudNeutral[key] == v
	case float64:
		return v == 0
	case bool:
		return !v
	case []any:
		for _, e := range v {
			if !alicloudIsNeutral("", e) {
				return false
			}
		}
		return true
	case map[string]any:
		for k, e := range v {
			if !alicloudIsNeutral(k, e) {
				return false
			}
		}
		return true
	}
	return false
}

func alicloudShow(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// isAlicloudAddress: the official provider, whatever host spelling the CLI
// uses for the public registry.
func isAlicloudAddress(addr string) bool {
	return addr == alicloudProviderAddress || strings.HasSuffix(addr, "/aliyun/alicloud")
}

func setOf(keys ...string) map[string]bool {
	out := make(map[string]bool, len(keys))
	for _, k := range keys {
		out[k] = true
	}
	return out
}

// instanceSchemaAttrTypes are the attribute types of one of the schema's
// nested objects, read from the schema itself so they never drift.
func instanceSchemaAttrTypes(name string) map[string]attr.Type {
	var resp resource.SchemaResponse
	(&instanceResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if t, ok := resp.Schema.Attributes[name].GetType().(attr.TypeWithAttributeTypes); ok {
		return t.AttributeTypes()
	}
	return map[string]attr.Type{}
}

func nullOfObject(t map[string]attr.Type) types.Object { return types.ObjectNull(t) }

func movedMark(ctx context.Context, p privateGetter) (bool, diag.Diagnostics) {
	raw, diags := p.GetKey(ctx, privateKeyMoved)
	return string(raw) == "true", diags
}
