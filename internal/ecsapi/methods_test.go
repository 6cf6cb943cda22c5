package ecsapi

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// param asserts one query parameter of a recorded call ("<absent>" = not sent).
func param(t *testing.T, c fakeCall, key, want string) {
	t.Helper()
	got := "<absent>"
	if vs, ok := c.Params[key]; ok {
		got = vs[0]
	}
	if got != want {
		t.Errorf("%s: %s = %q, want %q", c.Action, key, got, want)
	}
}

func onlyCall(t *testing.T, f *fakeECS, action string) fakeCall {
	t.Helper()
	calls := f.callsOf(action)
	if len(calls) != 1 {
		t.Fatalf("%s calls = %d, want 1", action, len(calls))
	}
	return calls[0]
}

func TestModifyInstanceAutoReleaseTime(t *testing.T) {
	f := newFakeECS(t, scripted(success))
	c, _ := f.newTestClient(t)
	ctx := context.Background()
	if err := c.ModifyInstanceAutoReleaseTime(ctx, "i-1", "2030-01-02T03:04:00Z"); err != nil {
		t.Fatal(err)
	}
	if err := c.ModifyInstanceAutoReleaseTime(ctx, "i-1", ""); err != nil {
		t.Fatal(err)
	}
	calls := f.callsOf("ModifyInstanceAutoReleaseTime")
	param(t, calls[0], "AutoReleaseTime", "2030-01-02T03:04:00Z")
	param(t, calls[0], "InstanceId", "i-1")
	param(t, calls[1], "AutoReleaseTime", "<absent>") // "" cancels: no parameter at all
	param(t, calls[1], "RegionId", "cn-hangzhou")
	param(t, calls[1], "Version", "2014-05-26")
}

func TestDeleteStartStopParams(t *testing.T) {
	f := newFakeECS(t, scripted(success))
	c, _ := f.newTestClient(t)
	ctx := context.Background()
	must(t, c.DeleteInstance(ctx, "i-1", true))
	must(t, c.DeleteInstance(ctx, "i-2", false))
	must(t, c.StopInstance(ctx, "i-3", StopInput{ForceStop: true, StoppedMode: "StopCharging"}))
	must(t, c.StopInstance(ctx, "i-4", StopInput{}))
	must(t, c.StartInstance(ctx, "i-5"))
	del := f.callsOf("DeleteInstance")
	param(t, del[0], "Force", "true")
	param(t, del[0], "InstanceId", "i-1")
	param(t, del[1], "Force", "<absent>")
	stop := f.callsOf("StopInstance")
	param(t, stop[0], "ForceStop", "true")
	param(t, stop[0], "StoppedMode", "StopCharging")
	param(t, stop[1], "ForceStop", "<absent>")
	param(t, stop[1], "StoppedMode", "<absent>")
	param(t, onlyCall(t, f, "StartInstance"), "InstanceId", "i-5")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRunInstanceParams(t *testing.T) {
	f := newFakeECS(t, scripted(func() (int, any) {
		return ok(map[string]any{"InstanceIdSets": map[string]any{"InstanceIdSet": []string{"i-new"}}})
	}))
	c, _ := f.newTestClient(t)
	id, err := c.RunInstance(context.Background(), RunInstanceInput{
		ClientToken: "tok", ImageID: "m-1", InstanceType: "ecs.g7.large", VSwitchID: "vsw-1", ZoneID: "cn-hangzhou-h",
		SecurityGroupIDs: []string{"sg-1"}, Name: "web", Description: "d", HostName: "h", KeyPairName: "kp",
		UserData: "ZWNobw==", Password: "Secret123!", SystemDisk: SystemDiskSpec{Category: "cloud_essd", Size: 40},
		DataDisks:               []DataDiskSpec{{Size: 100, Category: "cloud_essd", DeleteWithInstance: true}},
		InternetMaxBandwidthOut: 5, DeletionProtection: true, Tags: map[string]string{"b": "2", "a": "1"},
	})
	if err != nil || id != "i-new" {
		t.Fatalf("got %q, %v", id, err)
	}
	call := onlyCall(t, f, "RunInstances")
	for k, v := range map[string]string{
		"Amount": "1", "ClientToken": "tok", "ImageId": "m-1", "InstanceType": "ecs.g7.large", "VSwitchId": "vsw-1",
		"ZoneId": "cn-hangzhou-h", "SecurityGroupId": "sg-1", "InstanceName": "web", "Description": "d", "HostName": "h",
		"KeyPairName": "kp", "UserData": "ZWNobw==", "Password": "Secret123!", "SystemDisk.Category": "cloud_essd",
		"SystemDisk.Size": "40", "DataDisk.1.Size": "100", "DataDisk.1.Category": "cloud_essd",
		"DataDisk.1.DeleteWithInstance": "true", "InternetMaxBandwidthOut": "5", "DeletionProtection": "true",
		"Tag.1.Key": "a", "Tag.1.Value": "1", "Tag.2.Key": "b", "Tag.2.Value": "2",
	} {
		param(t, call, k, v)
	}
	param(t, call, "AutoReleaseTime", "<absent>")

	// Several security groups go as SecurityGroupIds.N.
	f.setHandler(scripted(func() (int, any) {
		return ok(map[string]any{"InstanceIdSets": map[string]any{"InstanceIdSet": []string{"i-2"}}})
	}))
	if _, err := c.RunInstance(context.Background(), RunInstanceInput{ClientToken: "t2", SecurityGroupIDs: []string{"sg-1", "sg-2"}}); err != nil {
		t.Fatal(err)
	}
	second := f.callsOf("RunInstances")[1]
	param(t, second, "SecurityGroupIds.1", "sg-1")
	param(t, second, "SecurityGroupIds.2", "sg-2")
	param(t, second, "SecurityGroupId", "<absent>")
}

func TestRunInstanceNeedsClientToken(t *testing.T) {
	f := newFakeECS(t, scripted(success))
	c, _ := f.newTestClient(t)
	if _, err := c.RunInstance(context.Background(), RunInstanceInput{ImageID: "m-1"}); err == nil || !strings.Contains(err.Error(), "ClientToken") {
		t.Fatalf("want a ClientToken error, got %v", err)
	}
	if len(f.callsOf("")) != 0 {
		t.Error("no call may be made without a ClientToken")
	}
}

func TestModifyInstanceAttributeParams(t *testing.T) {
	f := newFakeECS(t, scripted(success))
	c, _ := f.newTestClient(t)
	ctx := context.Background()
	must(t, c.ModifyInstanceAttribute(ctx, "i-1", ModifyInstanceInput{}))
	if len(f.callsOf("")) != 0 {
		t.Fatal("nothing to change must make no call")
	}
	name, empty, yes := "new-name", "", true
	must(t, c.ModifyInstanceAttribute(ctx, "i-1", ModifyInstanceInput{Name: &name, Description: &empty, DeletionProtection: &yes}))
	call := onlyCall(t, f, "ModifyInstanceAttribute")
	param(t, call, "InstanceName", "new-name")
	param(t, call, "Description", "") // explicit "" clears the description
	param(t, call, "DeletionProtection", "true")
	param(t, call, "HostName", "<absent>")
	param(t, call, "Password", "<absent>")
}

func TestUpdateInstanceTags(t *testing.T) {
	f := newFakeECS(t, scripted(success))
	c, _ := f.newTestClient(t)
	must(t, c.UpdateInstanceTags(context.Background(), "i-1", map[string]string{"env": "prod", "app": "web"}, []string{"old"}))
	calls := f.callsOf("")
	if len(calls) != 2 || calls[0].Action != "UntagResources" || calls[1].Action != "TagResources" {
		t.Fatalf("calls = %+v", calls)
	}
	param(t, calls[0], "ResourceType", "instance")
	param(t, calls[0], "ResourceId.1", "i-1")
	param(t, calls[0], "TagKey.1", "old")
	param(t, calls[1], "ResourceType", "instance")
	param(t, calls[1], "ResourceId.1", "i-1")
	param(t, calls[1], "Tag.1.Key", "app")
	param(t, calls[1], "Tag.1.Value", "web")
	param(t, calls[1], "Tag.2.Key", "env")
	param(t, calls[1], "Tag.2.Value", "prod")

	f2 := newFakeECS(t, scripted(success))
	c2, _ := f2.newTestClient(t)
	must(t, c2.UpdateInstanceTags(context.Background(), "i-1", nil, nil))
	if len(f2.callsOf("")) != 0 {
		t.Error("no change must make no call")
	}
}

func TestGetInstanceMapsFields(t *testing.T) {
	f := newFakeECS(t, describeInstancesFrom(map[string]string{"i-1": "Running"}))
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.DisableBatching = true })
	inst, err := c.GetInstance(context.Background(), "i-1")
	if err != nil {
		t.Fatal(err)
	}
	want := Instance{
		ID: "i-1", Name: "name-i-1", Status: "Running", VpcID: "vpc-1", VSwitchID: "vsw-1",
		SecurityGroupIDs: []string{"sg-1"}, PrivateIP: "10.0.0.5", PublicIP: "47.1.2.3",
		CPU: 4, MemoryMiB: 8192, Tags: map[string]string{"env": "dev"},
	}
	if !reflect.DeepEqual(*inst, want) {
		t.Errorf("got  %+v\nwant %+v", *inst, want)
	}
	param(t, onlyCall(t, f, "DescribeInstances"), "InstanceIds", `["i-1"]`)

	if _, err := c.GetInstance(context.Background(), "i-gone"); !IsNotFound(err) {
		t.Errorf("missing instance: want NotFound, got %v", err)
	}
}

func TestListInstancesAllPages(t *testing.T) {
	f := newFakeECS(t, func(c fakeCall) (int, any) {
		if c.Params.Get("NextToken") == "" {
			return ok(map[string]any{"NextToken": "page2", "Instances": map[string]any{"Instance": []any{instanceJSON("i-1", "Running"), instanceJSON("i-2", "Stopped")}}})
		}
		return ok(map[string]any{"NextToken": "", "Instances": map[string]any{"Instance": []any{instanceJSON("i-3", "Running")}}})
	})
	c, _ := f.newTestClient(t)
	list, err := c.ListInstances(context.Background(), InstanceFilter{Name: "web-*", Status: "Running", VSwitchID: "vsw-1", Tags: map[string]string{"env": "dev"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[2].ID != "i-3" {
		t.Fatalf("list = %+v", list)
	}
	calls := f.callsOf("DescribeInstances")
	if len(calls) != 2 {
		t.Fatalf("pages = %d", len(calls))
	}
	param(t, calls[0], "MaxResults", "100")
	param(t, calls[0], "InstanceName", "web-*")
	param(t, calls[0], "Status", "Running")
	param(t, calls[0], "VSwitchId", "vsw-1")
	param(t, calls[0], "Tag.1.Key", "env")
	param(t, calls[0], "Tag.1.Value", "dev")
	param(t, calls[1], "NextToken", "page2")
}

func TestListInstancesChunksIDs(t *testing.T) {
	f := newFakeECS(t, describeInstancesFrom(map[string]string{}))
	c, _ := f.newTestClient(t)
	ids := make([]string, 150)
	for i := range ids {
		ids[i] = "i-" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
	}
	if _, err := c.ListInstances(context.Background(), InstanceFilter{IDs: ids}); err != nil {
		t.Fatal(err)
	}
	calls := f.callsOf("DescribeInstances")
	if len(calls) != 2 {
		t.Fatalf("calls = %d, want 2 (100 + 50 ids)", len(calls))
	}
	var first []string
	_ = json.Unmarshal([]byte(calls[0].Params.Get("InstanceIds")), &first)
	if len(first) != 100 {
		t.Errorf("first chunk = %d ids", len(first))
	}
}

func TestListDisks(t *testing.T) {
	f := newFakeECS(t, func(c fakeCall) (int, any) {
		if c.Params.Get("NextToken") == "" {
			return ok(map[string]any{"NextToken": "n2", "Disks": map[string]any{"Disk": []any{
				map[string]any{"DiskId": "d-1", "InstanceId": "i-1", "Type": "system", "Category": "cloud_essd", "Size": 40, "Status": "In_use", "Device": "/dev/xvda"},
			}}})
		}
		return ok(map[string]any{"Disks": map[string]any{"Disk": []any{
			map[string]any{"DiskId": "d-2", "InstanceId": "i-1", "Type": "data", "Category": "cloud_essd", "Size": 100, "Status": "In_use", "Device": "/dev/xvdb"},
		}}})
	})
	c, _ := f.newTestClient(t)
	disks, err := c.ListDisks(context.Background(), "i-1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Disk{
		{ID: "d-1", InstanceID: "i-1", Type: "system", Category: "cloud_essd", Size: 40, Status: "In_use", Device: "/dev/xvda"},
		{ID: "d-2", InstanceID: "i-1", Type: "data", Category: "cloud_essd", Size: 100, Status: "In_use", Device: "/dev/xvdb"},
	}
	if !reflect.DeepEqual(disks, want) {
		t.Errorf("disks = %+v", disks)
	}
	calls := f.callsOf("DescribeDisks")
	param(t, calls[0], "InstanceId", "i-1")
	param(t, calls[1], "NextToken", "n2")
}

// snapshotGroupFake answers DescribeSnapshotGroups and DescribeSnapshots for
// groups with the given status; every group has one system and one data snapshot.
func snapshotGroupFake(groups map[string]string) func(c fakeCall) (int, any) {
	return func(c fakeCall) (int, any) {
		switch c.Action {
		case "DescribeSnapshotGroups":
			list := []any{}
			for i := 1; ; i++ {
				id := c.Params.Get("SnapshotGroupId." + strconv.Itoa(i))
				if id == "" {
					break
				}
				status, ok := groups[id]
				if !ok {
					continue
				}
				list = append(list, map[string]any{
					"SnapshotGroupId": id, "Name": "n", "Description": "d", "InstanceId": "i-1", "Status": status,
					"CreationTime": "2030-01-01T00:00:00Z", "Tags": map[string]any{"Tag": []any{map[string]string{"TagKey": "k", "TagValue": "v"}}},
					"Snapshots": map[string]any{"Snapshot": []any{
						map[string]any{"SnapshotId": "s-" + id + "-sys", "SourceDiskId": "d-1", "SourceDiskType": "system", "Progress": "100%"},
						map[string]any{"SnapshotId": "s-" + id + "-data", "SourceDiskId": "d-2", "SourceDiskType": "data", "Progress": "50%"},
					}},
				})
			}
			return ok(map[string]any{"SnapshotGroups": map[string]any{"SnapshotGroup": list}})
		case "DescribeSnapshots":
			var ids []string
			_ = json.Unmarshal([]byte(c.Params.Get("SnapshotIds")), &ids)
			list := []any{}
			for _, id := range ids {
				status := SnapshotAccomplished
				for g, st := range groups {
					if strings.HasPrefix(id, "s-"+g+"-") {
						status = st
					}
				}
				list = append(list, map[string]any{"SnapshotId": id, "SourceDiskSize": "40", "RetentionDays": 7, "Status": status})
			}
			return ok(map[string]any{"Snapshots": map[string]any{"Snapshot": list}})
		}
		return apiError(404, "InvalidAction.NotFound", c.Action)
	}
}

func TestGetSnapshotGroupFillsSnapshots(t *testing.T) {
	f := newFakeECS(t, snapshotGroupFake(map[string]string{"ssg-1": SnapshotAccomplished}))
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.DisableBatching = true })
	g, err := c.GetSnapshotGroup(context.Background(), "ssg-1")
	if err != nil {
		t.Fatal(err)
	}
	want := &SnapshotGroup{
		ID: "ssg-1", Name: "n", Description: "d", InstanceID: "i-1", Status: SnapshotAccomplished,
		CreationTime: "2030-01-01T00:00:00Z", Tags: map[string]string{"k": "v"},
		Snapshots: []Snapshot{
			{ID: "s-ssg-1-sys", SourceDiskID: "d-1", SourceDiskType: "system", SourceDiskSize: 40, Progress: "100%", Status: SnapshotAccomplished, RetentionDays: 7},
			{ID: "s-ssg-1-data", SourceDiskID: "d-2", SourceDiskType: "data", SourceDiskSize: 40, Progress: "50%", Status: SnapshotAccomplished, RetentionDays: 7},
		},
	}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("got  %+v\nwant %+v", g, want)
	}
	param(t, onlyCall(t, f, "DescribeSnapshotGroups"), "SnapshotGroupId.1", "ssg-1")
	param(t, onlyCall(t, f, "DescribeSnapshots"), "SnapshotIds", `["s-ssg-1-sys","s-ssg-1-data"]`)

	if _, err := c.GetSnapshotGroup(context.Background(), "ssg-gone"); !IsNotFound(err) {
		t.Errorf("want NotFound, got %v", err)
	}
}

func TestSnapshotWrites(t *testing.T) {
	f := newFakeECS(t, func(c fakeCall) (int, any) { return ok(map[string]any{"SnapshotGroupId": "ssg-9"}) })
	c, _ := f.newTestClient(t)
	ctx := context.Background()
	id, err := c.CreateSnapshotGroup(ctx, SnapshotGroupInput{ClientToken: "ct", InstanceID: "i-1", DiskIDs: []string{"d-1", "d-2"}, Name: "n", Description: "d", Tags: map[string]string{"k": "v"}})
	if err != nil || id != "ssg-9" {
		t.Fatalf("got %q, %v", id, err)
	}
	create := onlyCall(t, f, "CreateSnapshotGroup")
	for k, v := range map[string]string{"ClientToken": "ct", "InstanceId": "i-1", "DiskId.1": "d-1", "DiskId.2": "d-2", "Name": "n", "Description": "d", "Tag.1.Key": "k", "Tag.1.Value": "v"} {
		param(t, create, k, v)
	}
	empty, name, days := "", "renamed", 30
	must(t, c.ModifySnapshotGroup(ctx, "ssg-9", &name, &empty))
	msg := onlyCall(t, f, "ModifySnapshotGroup")
	param(t, msg, "SnapshotGroupId", "ssg-9")
	param(t, msg, "Name", "renamed")
	param(t, msg, "Description", "")
	must(t, c.ModifySnapshotGroup(ctx, "ssg-9", nil, nil)) // no call
	must(t, c.ModifySnapshotAttribute(ctx, "s-1", ModifySnapshotInput{RetentionDays: &days}))
	msa := onlyCall(t, f, "ModifySnapshotAttribute")
	param(t, msa, "SnapshotId", "s-1")
	param(t, msa, "RetentionDays", "30")
	param(t, msa, "SnapshotName", "<absent>")
	_, err = c.DeleteSnapshotGroup(ctx, "ssg-9")
	must(t, err)
	param(t, onlyCall(t, f, "DeleteSnapshotGroup"), "SnapshotGroupId", "ssg-9")
}

func TestListSnapshotGroupsFilters(t *testing.T) {
	f := newFakeECS(t, snapshotGroupFake(map[string]string{"ssg-1": SnapshotProgressing}))
	c, _ := f.newTestClient(t)
	groups, err := c.ListSnapshotGroups(context.Background(), SnapshotGroupFilter{IDs: []string{"ssg-1"}, InstanceID: "i-1", Name: "n", Statuses: []string{"progressing", "accomplished"}})
	if err != nil || len(groups) != 1 || groups[0].Snapshots[0].SourceDiskSize != 40 {
		t.Fatalf("groups = %+v, %v", groups, err)
	}
	call := onlyCall(t, f, "DescribeSnapshotGroups")
	param(t, call, "InstanceId", "i-1")
	param(t, call, "Name", "n")
	param(t, call, "Status.1", "progressing")
	param(t, call, "Status.2", "accomplished")
	param(t, call, "MaxResults", "100")
}

// The default scheme is HTTPS even though the SDK's own default is HTTP.
func TestDefaultSchemeIsHTTPS(t *testing.T) {
	var gotTLS atomic.Bool
	srv := httptest.NewTLSServer(nil)
	srv.Config.Handler = httpHandlerFunc(func(tls bool) { gotTLS.Store(tls) })
	defer srv.Close()
	c, err := New(Config{
		RegionID: "cn-hangzhou", AccessKeyID: "a", AccessKeySecret: "s",
		Endpoint: strings.TrimPrefix(srv.URL, "https://"), Transport: srv.Client().Transport, Clock: testClock(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.StartInstance(context.Background(), "i-1"); err != nil {
		t.Fatal(err)
	}
	if !gotTLS.Load() {
		t.Error("the request did not use TLS")
	}
}
