package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// aliecs_snapshot takes a `moved` block from the official provider's
// alicloud_ecs_snapshot_group (schema version 0): the same snapshot group,
// mapped from the source's raw JSON state with no call to the service; the
// refresh after the move reads its snapshots. As for instances, settings
// aliecs_snapshot has no argument for are named in a warning.

var _ resource.ResourceWithMoveState = (*snapshotResource)(nil)

func (r *snapshotResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: moveSnapshotGroupFromAlicloud}}
}

type alicloudSnapshotGroupState struct {
	ID          string            `json:"id"`
	InstanceID  string            `json:"instance_id"`
	Name        string            `json:"snapshot_group_name"`
	Description string            `json:"description"`
	DiskIDs     []string          `json:"disk_id"`
	Status      string            `json:"status"`
	Tags        map[string]string `json:"tags"`
}

var alicloudSnapshotGroupMapped = setOf("id", "instance_id", "snapshot_group_name", "description", "disk_id",
	"status", "tags", "timeouts")

func moveSnapshotGroupFromAlicloud(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if req.SourceTypeName != alicloudSnapshotGroup || !isAlicloudAddress(req.SourceProviderAddress) {
		resp.Diagnostics.AddError("Cannot move this resource into aliecs_snapshot",
			fmt.Sprintf("aliecs_snapshot accepts a moved block only from %s of the official provider (%s); the "+
				"source is %s of %s. Remove the moved block and import the snapshot group instead (an import "+
				"block for aliecs_snapshot with the ssg- id).",
				alicloudSnapshotGroup, alicloudProviderAddress, req.SourceTypeName, req.SourceProviderAddress))
		return
	}
	if req.SourceSchemaVersion != 0 || req.SourceRawState == nil || len(req.SourceRawState.JSON) == 0 {
		resp.Diagnostics.AddError("Cannot move this alicloud_ecs_snapshot_group",
			fmt.Sprintf("The move understands alicloud_ecs_snapshot_group states of schema version 0 written as "+
				"JSON; this one has schema version %d. Import the snapshot group instead.", req.SourceSchemaVersion))
		return
	}
	var src alicloudSnapshotGroupState
	var raw map[string]any
	if err := json.Unmarshal(req.SourceRawState.JSON, &src); err != nil || src.ID == "" {
		resp.Diagnostics.AddError("Cannot read the alicloud_ecs_snapshot_group state",
			fmt.Sprintf("The state has no snapshot group id or is not JSON (%v).", err))
		return
	}
	_ = json.Unmarshal(req.SourceRawState.JSON, &raw)

	var sr resource.SchemaResponse
	(&snapshotResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	timeoutTypes := map[string]attr.Type{}
	if t, ok := sr.Schema.Attributes["timeouts"].GetType().(attr.TypeWithAttributeTypes); ok {
		timeoutTypes = t.AttributeTypes()
	}
	m := snapshotResourceModel{
		ID:                           types.StringValue(src.ID),
		InstanceID:                   types.StringValue(src.InstanceID),
		Name:                         optionalString(src.Name),
		Description:                  optionalString(src.Description),
		DiskIDs:                      types.SetNull(types.StringType),
		RetentionDays:                types.Int64Null(),
		Tags:                         tagsValue(src.Tags, types.MapNull(types.StringType)),
		StopBeforeSnapshot:           types.BoolValue(false),
		ReleaseInstanceAfterSnapshot: types.BoolValue(false),
		Status:                       types.StringValue(src.Status),
		Progress:                     types.Int64Value(0),
		Snapshots:                    types.ListValueMust(snapshotObjectType, nil),
		CreationTime:                 types.StringValue(""),
		InstanceReleased:             types.BoolValue(false),
		KeepOnDestroy:                types.BoolValue(false),
		KeptGroupIDs:                 types.ListNull(types.StringType),
		Timeouts:                     timeouts.Value{Object: types.ObjectNull(timeoutTypes)},
	}
	if len(src.DiskIDs) > 0 {
		m.DiskIDs = stringSet(src.DiskIDs)
	}
	if src.Status == "accomplished" {
		m.Progress = types.Int64Value(100)
	}
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, &m)...)

	var unmapped []string
	for k, v := range raw {
		if !alicloudSnapshotGroupMapped[k] && !alicloudIsNeutral(k, v) {
			unmapped = append(unmapped, k+" = "+alicloudShow(v))
		}
	}
	sort.Strings(unmapped)
	if len(unmapped) > 0 {
		resp.Diagnostics.AddWarning("Settings aliecs_snapshot does not manage",
			fmt.Sprintf("Snapshot group %s was moved from %s with settings aliecs_snapshot has no argument for: "+
				"%s. The snapshots keep them as they are; remove them from the configuration.",
				src.ID, alicloudSnapshotGroup, strings.Join(unmapped, ", ")))
	}
}
