package emulator

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// officialReadPath makes, with the real SDK, the reads the official
// alicloud provider (v1.260.0) makes to refresh one alicloud_instance, and
// returns each answer without its RequestId.
func (f *fixture) officialReadPath(id string) map[string]any {
	f.t.Helper()
	ids := `["` + id + `"]`
	out := map[string]any{}
	keep := func(action string, resp responses.AcsResponse, err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatalf("%s: %v", action, err)
		}
		var body map[string]any
		if err := json.Unmarshal(resp.GetHttpContentBytes(), &body); err != nil {
			f.t.Fatalf("%s: %v", action, err)
		}
		delete(body, "RequestId")
		out[action] = body
	}
	c := f.client()

	di := ecs.CreateDescribeInstancesRequest()
	di.RegionId, di.InstanceIds = testRegion, ids
	r1, err := c.DescribeInstances(di)
	keep("DescribeInstances", r1, err)

	dd := ecs.CreateDescribeDisksRequest()
	dd.RegionId, dd.InstanceId = testRegion, id
	r2, err := c.DescribeDisks(dd)
	keep("DescribeDisks", r2, err)

	ud := ecs.CreateDescribeUserDataRequest()
	ud.RegionId, ud.InstanceId = testRegion, id
	r3, err := c.DescribeUserData(ud)
	keep("DescribeUserData", r3, err)

	dm := ecs.CreateDescribeInstanceMaintenanceAttributesRequest()
	dm.RegionId, dm.InstanceId = testRegion, &[]string{id}
	r4, err := c.DescribeInstanceMaintenanceAttributes(dm)
	keep("DescribeInstanceMaintenanceAttributes", r4, err)

	da := ecs.CreateDescribeInstanceAttributeRequest()
	da.RegionId, da.InstanceId = testRegion, id
	r5, err := c.DescribeInstanceAttribute(da)
	keep("DescribeInstanceAttribute", r5, err)

	dt := ecs.CreateDescribeInstanceAttachmentAttributesRequest()
	dt.RegionId, dt.InstanceIds = testRegion, ids
	r6, err := c.DescribeInstanceAttachmentAttributes(dt)
	keep("DescribeInstanceAttachmentAttributes", r6, err)

	dr := ecs.CreateDescribeInstanceRamRoleRequest()
	dr.RegionId, dr.InstanceIds = testRegion, ids
	r7, err := c.DescribeInstanceRamRole(dr)
	keep("DescribeInstanceRamRole", r7, err)

	dn := ecs.CreateDescribeNetworkInterfacesRequest()
	dn.RegionId, dn.InstanceId = testRegion, id
	r8, err := c.DescribeNetworkInterfaces(dn)
	keep("DescribeNetworkInterfaces", r8, err)
	return out
}

func (f *fixture) waitStatus(id, status string) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		in := f.describe(id)
		if in != nil && in.Status == status {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("instance %s did not reach %s", id, status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOfficialProviderReadPathIsStable replays the official provider's
// refresh of a new instance twice: every answer is the same both times (its
// no-op plan is empty), the instance reports no maintenance window, and it
// belongs to the account's default resource group.
func TestOfficialProviderReadPathIsStable(t *testing.T) {
	f := newFixture(t, Options{BootTime: time.Millisecond, StopTime: time.Millisecond})
	id := f.run(1)[0]
	f.waitStatus(id, "Running")

	first := f.officialReadPath(id)
	second := f.officialReadPath(id)
	for action, a := range first {
		if !reflect.DeepEqual(a, second[action]) {
			t.Errorf("%s answered differently for a no-op:\nfirst:  %v\nsecond: %v", action, a, second[action])
		}
	}
	m := first["DescribeInstanceMaintenanceAttributes"].(map[string]any)
	attrs := m["MaintenanceAttributes"].(map[string]any)["MaintenanceAttribute"].([]any)
	if len(attrs) != 1 {
		t.Fatalf("want one maintenance entry for the instance (an empty list means not found), got %v", attrs)
	}
	entry := attrs[0].(map[string]any)
	if w := entry["MaintenanceWindows"].(map[string]any)["MaintenanceWindow"].([]any); len(w) != 0 {
		t.Errorf("a new instance reports a maintenance window nobody set: %v", w)
	}
	if v := entry["ActionOnMaintenance"].(map[string]any)["Value"]; v != "AutoRecover" {
		t.Errorf("ActionOnMaintenance = %v, want the default AutoRecover", v)
	}
	if rg := f.describe(id).ResourceGroupId; rg != defaultResourceGroupID {
		t.Errorf("ResourceGroupId = %q, want the account's default group", rg)
	}
}

// ModifyInstanceMaintenanceAttributes keeps what it sets; no window given
// clears it.
func TestModifyInstanceMaintenanceAttributesIsKept(t *testing.T) {
	f := newFixture(t, Options{BootTime: time.Millisecond})
	id := f.run(1)[0]
	modify := func(windows []ecs.ModifyInstanceMaintenanceAttributesMaintenanceWindow, action string) error {
		req := ecs.CreateModifyInstanceMaintenanceAttributesRequest()
		req.RegionId, req.InstanceId, req.ActionOnMaintenance = testRegion, &[]string{id}, action
		req.MaintenanceWindow = &windows
		req.NotifyOnMaintenance = requests.NewBoolean(action != "")
		_, err := f.client().ModifyInstanceMaintenanceAttributes(req)
		return err
	}
	read := func() ecs.MaintenanceAttribute {
		req := ecs.CreateDescribeInstanceMaintenanceAttributesRequest()
		req.RegionId, req.InstanceId = testRegion, &[]string{id}
		resp, err := f.client().DescribeInstanceMaintenanceAttributes(req)
		if err != nil || len(resp.MaintenanceAttributes.MaintenanceAttribute) != 1 {
			t.Fatalf("DescribeInstanceMaintenanceAttributes: %v %+v", err, resp)
		}
		return resp.MaintenanceAttributes.MaintenanceAttribute[0]
	}
	if err := modify([]ecs.ModifyInstanceMaintenanceAttributesMaintenanceWindow{{StartTime: "02:00:00", EndTime: "05:00:00"}}, "Stop"); err != nil {
		t.Fatal(err)
	}
	got := read()
	if w := got.MaintenanceWindows.MaintenanceWindow; len(w) != 1 || w[0].StartTime != "02:00:00" || w[0].EndTime != "05:00:00" {
		t.Errorf("window = %+v, want 02:00:00–05:00:00", w)
	}
	if got.ActionOnMaintenance.Value != "Stop" || !got.NotifyOnMaintenance {
		t.Errorf("action %q notify %v, want Stop true", got.ActionOnMaintenance.Value, got.NotifyOnMaintenance)
	}
	if err := modify(nil, ""); err != nil {
		t.Fatal(err)
	}
	got = read()
	if len(got.MaintenanceWindows.MaintenanceWindow) != 0 || got.ActionOnMaintenance.Value != "Stop" || got.NotifyOnMaintenance {
		t.Errorf("after clearing: %+v", got)
	}
	err := modify([]ecs.ModifyInstanceMaintenanceAttributesMaintenanceWindow{{StartTime: "02:30:00", EndTime: "05:00:00"}}, "")
	wantCode(t, err, 403, "InvalidParameter")
}

// StopInstance takes StoppedMode=Not-applicable (what DescribeInstances
// reports for a running instance) as no mode given.
func TestStopInstanceNotApplicableMode(t *testing.T) {
	f := newFixture(t, Options{BootTime: time.Millisecond, StopTime: time.Millisecond})
	id := f.run(1)[0]
	f.waitStatus(id, "Running")
	req := ecs.CreateStopInstanceRequest()
	req.InstanceId, req.StoppedMode = id, "Not-applicable"
	if _, err := f.client().StopInstance(req); err != nil {
		t.Fatalf("StopInstance with StoppedMode=Not-applicable: %v", err)
	}
	f.waitStatus(id, "Stopped")
	if m := f.describe(id).StoppedMode; m != "KeepCharging" {
		t.Errorf("StoppedMode = %q, want KeepCharging (the default)", m)
	}
}
