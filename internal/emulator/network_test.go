package emulator

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func (f *fixture) joinGroup(id, sg string) error {
	req := ecs.CreateJoinSecurityGroupRequest()
	req.RegionId, req.InstanceId, req.SecurityGroupId = testRegion, id, sg
	_, err := f.client().JoinSecurityGroup(req)
	return err
}

func (f *fixture) leaveGroup(id, sg string) error {
	req := ecs.CreateLeaveSecurityGroupRequest()
	req.RegionId, req.InstanceId, req.SecurityGroupId = testRegion, id, sg
	_, err := f.client().LeaveSecurityGroup(req)
	return err
}

func TestJoinLeaveSecurityGroup(t *testing.T) {
	f := newFixture(t, Options{})
	rc := f.catalog()
	var same, other []string // groups of the instance's VPC, and of another VPC
	for _, g := range rc.SecurityGroups {
		if g.VpcID == rc.VpcID {
			same = append(same, g.ID)
		} else {
			other = append(other, g.ID)
		}
	}
	if len(same) < 2 || len(other) == 0 {
		t.Fatalf("the catalog lacks groups: %v %v", same, other)
	}
	id := f.run(1)[0] // in same[0]
	wantCode(t, f.leaveGroup(id, same[0]), 403, "InstanceLastSecurityGroup")
	wantCode(t, f.joinGroup(id, same[0]), 403, "InvalidInstanceId.AlreadyInSecurityGroup")
	wantCode(t, f.joinGroup(id, other[0]), 403, "InvalidSecurityGroup.VpcMismatch")
	wantCode(t, f.joinGroup(id, "sg-missing"), 404, "InvalidSecurityGroupId.NotFound")
	wantCode(t, f.joinGroup("i-missing", same[1]), 404, "InvalidInstanceId.NotFound")
	if err := f.joinGroup(id, same[1]); err != nil {
		t.Fatal(err)
	}
	if err := f.leaveGroup(id, same[0]); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.leaveGroup(id, same[0]), 403, "InstanceNotInSecurityGroup")
	if got := f.describe(id).SecurityGroupIds.SecurityGroupId; len(got) != 1 || got[0] != same[1] {
		t.Fatalf("groups after join and leave: %v", got)
	}
}

func TestModifyInstanceNetworkSpec(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1, func(r *ecs.RunInstancesRequest) { r.InternetMaxBandwidthOut = requests.NewInteger(5) })[0]
	private := f.run(1)[0]
	modify := func(id string, out int, charge string) error {
		req := ecs.CreateModifyInstanceNetworkSpecRequest()
		req.RegionId, req.InstanceId = testRegion, id
		req.InternetMaxBandwidthOut = requests.NewInteger(out)
		req.NetworkChargeType = charge
		_, err := f.client().ModifyInstanceNetworkSpec(req)
		return err
	}
	wantCode(t, modify(id, 101, ""), 400, "InvalidInternetMaxBandwidthOut.Malformed")
	wantCode(t, modify(id, 10, "PayByHour"), 400, "InvalidNetworkChargeType.ValueNotSupported")
	if err := modify(id, 20, "PayByBandwidth"); err != nil {
		t.Fatal(err)
	}
	in := f.describe(id)
	if in.InternetMaxBandwidthOut != 20 || in.InternetChargeType != "PayByBandwidth" || len(in.PublicIpAddress.IpAddress) != 1 {
		t.Fatalf("after the change: %d Mbit/s, %s, %v", in.InternetMaxBandwidthOut, in.InternetChargeType, in.PublicIpAddress.IpAddress)
	}
	allocate := func(id string) error {
		req := ecs.CreateAllocatePublicIpAddressRequest()
		req.InstanceId = id
		_, err := f.client().AllocatePublicIpAddress(req)
		return err
	}
	wantCode(t, allocate(id), 403, "InvalidOperation.PublicIpAllocated")
	wantCode(t, allocate(private), 403, "InvalidOperation.NoPublicBandwidth")
	// To 0 the public IP goes; from 0 it comes only with AllocatePublicIpAddress.
	if err := modify(id, 0, ""); err != nil {
		t.Fatal(err)
	}
	if in := f.describe(id); in.InternetMaxBandwidthOut != 0 || len(in.PublicIpAddress.IpAddress) != 0 {
		t.Fatalf("at 0 Mbit/s: %d, %v", in.InternetMaxBandwidthOut, in.PublicIpAddress.IpAddress)
	}
	if err := modify(private, 5, ""); err != nil {
		t.Fatal(err)
	}
	if in := f.describe(private); in.InternetMaxBandwidthOut != 5 || len(in.PublicIpAddress.IpAddress) != 0 {
		t.Fatalf("from 0 to 5 Mbit/s before the allocation: %d, %v", in.InternetMaxBandwidthOut, in.PublicIpAddress.IpAddress)
	}
	if err := allocate(private); err != nil {
		t.Fatal(err)
	}
	if in := f.describe(private); len(in.PublicIpAddress.IpAddress) != 1 {
		t.Fatalf("after the allocation: %v", in.PublicIpAddress.IpAddress)
	}
}

// A KMS key comes with Encrypted=true, at launch and with CreateDisk; both
// are read back by DescribeDisks with the device.
func TestDataDiskEncryption(t *testing.T) {
	f := newFixture(t, Options{})
	withDisk := func(encrypted, key string) func(*ecs.RunInstancesRequest) {
		return func(r *ecs.RunInstancesRequest) {
			r.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "40", Category: "cloud_essd", Encrypted: encrypted, KMSKeyId: key,
				DiskName: "data", Description: "the data disk", PerformanceLevel: "PL2"}}
		}
	}
	req := f.runRequest()
	withDisk("false", "key-1")(req)
	_, err := f.client().RunInstances(req)
	wantCode(t, err, 400, "InvalidParameter.KMSKeyId")
	id := f.run(1, withDisk("true", "key-1"))[0]
	dreq := ecs.CreateDescribeDisksRequest()
	dreq.RegionId, dreq.InstanceId, dreq.DiskType = testRegion, id, "data"
	resp, err := f.client().DescribeDisks(dreq)
	if err != nil {
		t.Fatal(err)
	}
	d := resp.Disks.Disk
	if len(d) != 1 || !d[0].Encrypted || d[0].KMSKeyId != "key-1" || d[0].Device != "/dev/xvdb" || d[0].DiskName != "data" ||
		d[0].Description != "the data disk" || d[0].PerformanceLevel != "PL2" {
		t.Fatalf("data disk read back: %+v", d)
	}
	creq := ecs.CreateCreateDiskRequest()
	creq.RegionId, creq.ZoneId, creq.Size, creq.DiskCategory = testRegion, d[0].ZoneId, requests.NewInteger(40), "cloud_essd"
	creq.KMSKeyId = "key-2"
	_, err = f.client().CreateDisk(creq)
	wantCode(t, err, 400, "InvalidParameter.KMSKeyId")
}

func TestRunInstancesPrivateIP(t *testing.T) {
	f := newFixture(t, Options{})
	rc := f.catalog()
	withIP := func(ip string) func(*ecs.RunInstancesRequest) {
		return func(r *ecs.RunInstancesRequest) { r.PrivateIpAddress = ip }
	}
	run := func(mut ...func(*ecs.RunInstancesRequest)) error {
		req := f.runRequest()
		for _, m := range mut {
			m(req)
		}
		_, err := f.client().RunInstances(req)
		return err
	}
	// The vSwitch's block is 172.16.0.0/20; the emulator hands out .2, .3, … itself.
	if rc.VSwitches[0].CidrBlock != "172.16.0.0/20" {
		t.Fatalf("the first vSwitch's block is %s", rc.VSwitches[0].CidrBlock)
	}
	wantCode(t, run(withIP("10.9.9.9")), 400, "InvalidPrivateIpAddress.NotInVSwitch")
	wantCode(t, run(withIP("not-an-ip")), 400, "InvalidPrivateIpAddress.Malformed")
	wantCode(t, run(withIP("172.16.0.50"), func(r *ecs.RunInstancesRequest) { r.Amount = requests.NewInteger(2) }),
		400, "InvalidParameter.Amount")
	id := f.run(1, withIP("172.16.0.3"))[0]
	if got := f.describe(id).VpcAttributes.PrivateIpAddress.IpAddress; len(got) != 1 || got[0] != "172.16.0.3" {
		t.Fatalf("private IP %v, want 172.16.0.3", got)
	}
	wantCode(t, run(withIP("172.16.0.3")), 400, "InvalidPrivateIpAddress.Duplicated")
	// Generated addresses skip the one picked.
	for _, id := range f.run(3) {
		if got := f.describe(id).VpcAttributes.PrivateIpAddress.IpAddress[0]; got == "172.16.0.3" {
			t.Fatalf("instance %s got the picked address %s", id, got)
		}
	}
}

func TestJoinResourceGroup(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1)[0]
	if got := f.describe(id).ResourceGroupId; got != defaultResourceGroupID {
		t.Fatalf("a new instance is in %q, want the default group", got)
	}
	join := func(rg string) error {
		req := ecs.CreateJoinResourceGroupRequest()
		req.RegionId, req.ResourceType, req.ResourceId, req.ResourceGroupId = testRegion, "instance", id, rg
		_, err := f.client().JoinResourceGroup(req)
		return err
	}
	wantCode(t, join("not-a-group"), 404, "InvalidResourceGroupId.NotFound")
	if err := join("rg-team42"); err != nil {
		t.Fatal(err)
	}
	if got := f.describe(id).ResourceGroupId; got != "rg-team42" {
		t.Fatalf("after the join the instance is in %q", got)
	}
}

func TestInstanceRamRole(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1, func(r *ecs.RunInstancesRequest) { r.RamRoleName = "Builder" })[0]
	other := f.run(1)[0]
	roles := func() map[string]string {
		req := ecs.CreateDescribeInstanceRamRoleRequest()
		req.RegionId, req.InstanceIds = testRegion, `["`+id+`","`+other+`"]`
		resp, err := f.client().DescribeInstanceRamRole(req)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, s := range resp.InstanceRamRoleSets.InstanceRamRoleSet {
			out[s.InstanceId] = s.RamRoleName
		}
		return out
	}
	if got := roles(); len(got) != 1 || got[id] != "Builder" {
		t.Fatalf("roles after RunInstances: %v", got)
	}
	attach := func(inst, role string) error {
		req := ecs.CreateAttachInstanceRamRoleRequest()
		req.RegionId, req.InstanceIds, req.RamRoleName = testRegion, `["`+inst+`"]`, role
		_, err := f.client().AttachInstanceRamRole(req)
		return err
	}
	detach := func(inst, role string) error {
		req := ecs.CreateDetachInstanceRamRoleRequest()
		req.RegionId, req.InstanceIds, req.RamRoleName = testRegion, `["`+inst+`"]`, role
		_, err := f.client().DetachInstanceRamRole(req)
		return err
	}
	wantCode(t, attach(id, "Other"), 403, "InvalidInstance.RamRoleAttached")
	wantCode(t, attach(other, "bad name!"), 404, "InvalidRamRole.NotFound")
	wantCode(t, detach(id, "Other"), 403, "InvalidRamRole.NotAttached")
	if err := detach(id, "Builder"); err != nil {
		t.Fatal(err)
	}
	if err := attach(other, "Runner"); err != nil {
		t.Fatal(err)
	}
	if got := roles(); len(got) != 1 || got[other] != "Runner" {
		t.Fatalf("roles after detach and attach: %v", got)
	}
	// Pages: PageSize 1 to 50, TotalCount counts every match.
	if err := attach(id, "Builder"); err != nil {
		t.Fatal(err)
	}
	req := ecs.CreateDescribeInstanceRamRoleRequest()
	req.RegionId, req.InstanceIds, req.PageSize, req.PageNumber = testRegion, `["`+id+`","`+other+`"]`,
		requests.NewInteger(1), requests.NewInteger(2)
	resp, err := f.client().DescribeInstanceRamRole(req)
	if err != nil || resp.TotalCount != 2 || len(resp.InstanceRamRoleSets.InstanceRamRoleSet) != 1 {
		t.Fatalf("page 2 of 1: %+v, %v", resp, err)
	}
	req.PageSize = requests.NewInteger(51)
	_, err = f.client().DescribeInstanceRamRole(req)
	wantCode(t, err, 400, "InvalidParameter")
}

func TestModifyDiskAttributeAndSpec(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1)[0]
	req := ecs.CreateDescribeDisksRequest()
	req.RegionId, req.InstanceId = testRegion, id
	disks, err := f.client().DescribeDisks(req)
	if err != nil || len(disks.Disks.Disk) == 0 {
		t.Fatalf("DescribeDisks: %v", err)
	}
	diskID := disks.Disks.Disk[0].DiskId
	attr := ecs.CreateModifyDiskAttributeRequest()
	attr.RegionId, attr.DiskId, attr.DiskName, attr.Description = testRegion, diskID, "root", "the system disk"
	if _, err := f.client().ModifyDiskAttribute(attr); err != nil {
		t.Fatal(err)
	}
	bad := ecs.CreateModifyDiskAttributeRequest()
	bad.RegionId, bad.DiskId, bad.DiskName = testRegion, diskID, "-no"
	_, err = f.client().ModifyDiskAttribute(bad)
	wantCode(t, err, 400, "InvalidDiskName.Malformed")
	spec := ecs.CreateModifyDiskSpecRequest()
	spec.RegionId, spec.DiskId, spec.PerformanceLevel = testRegion, diskID, "PL2"
	if _, err := f.client().ModifyDiskSpec(spec); err != nil {
		t.Fatal(err)
	}
	spec.PerformanceLevel = "PL9"
	_, err = f.client().ModifyDiskSpec(spec)
	wantCode(t, err, 400, "InvalidParameter")
	disks, _ = f.client().DescribeDisks(req)
	d := disks.Disks.Disk[0]
	if d.DiskName != "root" || d.Description != "the system disk" || d.PerformanceLevel != "PL2" {
		t.Fatalf("disk after the changes: %q %q %s", d.DiskName, d.Description, d.PerformanceLevel)
	}
}
