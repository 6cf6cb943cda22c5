package emulator

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
)

// The VPC API (Version 2016-04-28) is served on the emulator's one port.
func TestVPCAPIDescribeVSwitchesAndVpcs(t *testing.T) {
	f := newFixture(t, Options{})
	c, err := vpc.NewClientWithAccessKey(testRegion, DefaultAccessKeyID, DefaultAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = f.host()
	rc := f.catalog()
	req := vpc.CreateDescribeVSwitchesRequest()
	req.RegionId, req.VSwitchId = testRegion, rc.VSwitches[1].ID
	resp, err := c.DescribeVSwitches(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.VSwitches.VSwitch) != 1 || resp.VSwitches.VSwitch[0].ZoneId != rc.VSwitches[1].ZoneID ||
		resp.VSwitches.VSwitch[0].VpcId != rc.VpcID {
		t.Errorf("DescribeVSwitches: %+v", resp.VSwitches)
	}
	vreq := vpc.CreateDescribeVpcsRequest()
	vreq.RegionId = testRegion
	vresp, err := c.DescribeVpcs(vreq)
	if err != nil || vresp.TotalCount != 2 {
		t.Fatalf("DescribeVpcs: %v %+v", err, vresp)
	}
	if calls := f.e.Calls(); calls["DescribeVSwitches"] != 1 || calls["DescribeVpcs"] != 1 {
		t.Errorf("calls %v", calls)
	}
}
