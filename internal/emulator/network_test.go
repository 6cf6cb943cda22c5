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
	wantCode(t, modify(id, 0, ""), 403, "InvalidOperation.PublicIp")
	wantCode(t, modify(private, 5, ""), 403, "InvalidOperation.PublicIp")
	if err := modify(id, 20, "PayByBandwidth"); err != nil {
		t.Fatal(err)
	}
	in := f.describe(id)
	if in.InternetMaxBandwidthOut != 20 || in.InternetChargeType != "PayByBandwidth" || len(in.PublicIpAddress.IpAddress) != 1 {
		t.Fatalf("after the change: %d Mbit/s, %s, %v", in.InternetMaxBandwidthOut, in.InternetChargeType, in.PublicIpAddress.IpAddress)
	}
}
