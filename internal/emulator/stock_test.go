package emulator

import (
	"encoding/json"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// The default region has a second VPC with its own vSwitch and security
// group; a group of one VPC and a vSwitch of the other do not mix.
func TestCatalogSecondVPC(t *testing.T) {
	f := newFixture(t, Options{})
	rc := f.catalog()
	if len(rc.OtherVpcIDs) != 1 {
		t.Fatalf("want one other VPC in %s, got %v", testRegion, rc.OtherVpcIDs)
	}
	vpc2 := rc.OtherVpcIDs[0]
	var vsw2, sg2 string
	for _, v := range rc.VSwitches {
		if v.VpcID == vpc2 {
			vsw2 = v.ID
		}
	}
	for _, g := range rc.SecurityGroups {
		if g.VpcID == vpc2 {
			sg2 = g.ID
		}
	}
	if vsw2 == "" || sg2 == "" {
		t.Fatalf("the second VPC lacks a vSwitch (%q) or a security group (%q)", vsw2, sg2)
	}
	req := f.runRequest()
	req.VSwitchId = vsw2 // the first VPC's group
	_, err := f.client().RunInstances(req)
	wantCode(t, err, 403, "OperationDenied.InconsistentNetwork")
	req = f.runRequest()
	req.VSwitchId, req.SecurityGroupId = vsw2, sg2
	if _, err := f.client().RunInstances(req); err != nil {
		t.Fatalf("vSwitch and group of the second VPC: %v", err)
	}

	vs := ecs.CreateDescribeVSwitchesRequest()
	vs.RegionId, vs.VpcId = testRegion, vpc2
	resp, err := f.client().DescribeVSwitches(vs)
	if err != nil || len(resp.VSwitches.VSwitch) != 1 || resp.VSwitches.VSwitch[0].VSwitchId != vsw2 {
		t.Fatalf("DescribeVSwitches VpcId=%s: %v %+v", vpc2, err, resp)
	}
}

// Key pairs: DescribeKeyPairs lists them (with wildcards), RunInstances
// refuses an unknown one.
func TestCatalogKeyPairs(t *testing.T) {
	f := newFixture(t, Options{})
	req := ecs.CreateDescribeKeyPairsRequest()
	req.RegionId, req.KeyPairName = testRegion, "deploy-*"
	resp, err := f.client().DescribeKeyPairs(req)
	if err != nil || len(resp.KeyPairs.KeyPair) != 1 || resp.KeyPairs.KeyPair[0].KeyPairName != "deploy-key" {
		t.Fatalf("DescribeKeyPairs deploy-*: %v %+v", err, resp)
	}
	req.KeyPairName = "nope"
	if resp, err = f.client().DescribeKeyPairs(req); err != nil || resp.TotalCount != 0 {
		t.Fatalf("an unknown name lists nothing: %v %+v", err, resp)
	}
	run := f.runRequest()
	run.KeyPairName = "nope"
	_, err = f.client().RunInstances(run)
	wantCode(t, err, 404, "InvalidKeyPairName.NotFound")
	run.KeyPairName = "default-key"
	if _, err := f.client().RunInstances(run); err != nil {
		t.Fatal(err)
	}
}

// stockIn returns DescribeAvailableResource's zone → status for itype.
func (f *fixture) stockIn(itype string) map[string]string {
	f.t.Helper()
	req := ecs.CreateDescribeAvailableResourceRequest()
	req.RegionId, req.DestinationResource, req.InstanceType = testRegion, "InstanceType", itype
	resp, err := f.client().DescribeAvailableResource(req)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]string{}
	for _, z := range resp.AvailableZones.AvailableZone {
		for _, r := range z.AvailableResources.AvailableResource {
			for _, s := range r.SupportedResources.SupportedResource {
				if s.Value == itype {
					out[z.ZoneId] = s.Status
				}
			}
		}
	}
	return out
}

// One GPU type is sold out in one zone and in stock in the others;
// RunInstances there fails with NoStock; the admin API changes stock and
// /_emulator/state shows it.
func TestStockPerZone(t *testing.T) {
	f := newFixture(t, Options{})
	const gpu = "ecs.gn7i-c32g1.8xlarge"
	got := f.stockIn(gpu)
	if got["cn-hangzhou-h"] != "SoldOut" || got["cn-hangzhou-i"] != "Available" {
		t.Fatalf("stock of %s = %v; want sold out in h, available in i", gpu, got)
	}
	rc := f.catalog()
	req := f.runRequest()
	req.InstanceType, req.VSwitchId = gpu, rc.VSwitches[0].ID // zone h
	_, err := f.client().RunInstances(req)
	wantCode(t, err, 403, "OperationDenied.NoStock")
	req = f.runRequest()
	req.InstanceType, req.VSwitchId = gpu, rc.VSwitches[1].ID // zone i
	if _, err := f.client().RunInstances(req); err != nil {
		t.Fatalf("zone i has stock: %v", err)
	}

	if code, body := f.admin("POST", "stock", `{"zone_id":"cn-hangzhou-i","instance_type":"ecs.g7.large","sold_out":true}`); code != 200 {
		t.Fatalf("POST stock: %d %s", code, body)
	}
	if code, _ := f.admin("POST", "stock", `{"zone_id":"cn-hangzhou-zz","instance_type":"ecs.g7.large","sold_out":true}`); code != 400 {
		t.Errorf("an unknown zone: %d, want 400", code)
	}
	if got := f.stockIn("ecs.g7.large"); got["cn-hangzhou-i"] != "SoldOut" || got["cn-hangzhou-h"] != "Available" {
		t.Errorf("after selling out g7.large in i: %v", got)
	}
	_, body := f.admin("GET", "state", "")
	var st State
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Catalog.SoldOut) != 2 || len(st.Catalog.KeyPairs) == 0 || len(st.Catalog.Vpcs) < 2 {
		t.Errorf("state catalog: sold out %v, %d key pairs, %d VPCs", st.Catalog.SoldOut, len(st.Catalog.KeyPairs), len(st.Catalog.Vpcs))
	}
	var windows bool
	for _, im := range st.Catalog.Images {
		windows = windows || im.OSType == "windows"
	}
	if !windows {
		t.Error("the catalog has no Windows image")
	}
}
