package emulator

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func TestCatalogActions(t *testing.T) {
	f := newFixture(t, Options{})
	c := f.client()
	z := ecs.CreateDescribeZonesRequest()
	z.RegionId = "cn-hangzhou"
	zones, err := c.DescribeZones(z)
	if err != nil {
		t.Fatal(err)
	}
	if len(zones.Zones.Zone) != 3 || zones.Zones.Zone[0].ZoneId != "cn-hangzhou-h" {
		t.Fatalf("zones = %+v", zones.Zones)
	}
	im := ecs.CreateDescribeImagesRequest()
	im.RegionId = testRegion
	im.ImageId = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
	images, err := c.DescribeImages(im)
	if err != nil {
		t.Fatal(err)
	}
	if images.TotalCount != 1 || images.Images.Image[0].OSType != "linux" || images.Images.Image[0].Status != "Available" {
		t.Fatalf("images = %+v", images.Images)
	}
	sg := ecs.CreateDescribeSecurityGroupsRequest()
	sg.RegionId = "ap-southeast-1"
	groups, err := c.DescribeSecurityGroups(sg)
	if err != nil {
		t.Fatal(err)
	}
	if groups.TotalCount != 2 || groups.SecurityGroups.SecurityGroup[0].VpcId != buildRegion("ap-southeast-1").VpcID {
		t.Fatalf("groups = %+v", groups.SecurityGroups)
	}
	r := ecs.CreateDescribeRegionsRequest()
	r.AcceptLanguage = "fr"
	_, err = c.DescribeRegions(r)
	wantCode(t, err, 404, "InvalidAcceptLanguage.NotFound")
	types := ecs.CreateDescribeInstanceTypesRequest()
	types.InstanceTypeFamily = "ecs.gn7i"
	tr, err := c.DescribeInstanceTypes(types)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.InstanceTypes.InstanceType) != 4 || tr.InstanceTypes.InstanceType[0].GPUSpec != "NVIDIA A10" {
		t.Fatalf("types = %+v", tr.InstanceTypes)
	}
}

func TestUnknownRegionGetsGeneratedCatalog(t *testing.T) {
	f := newFixture(t, Options{})
	rc := buildRegion("eu-central-1")
	if rc.Zones[0].ZoneId != "eu-central-1-a" || rc.VSwitches[0].ID == buildRegion("eu-central-1").VSwitches[1].ID {
		t.Fatalf("generated = %+v", rc)
	}
	req := f.runRequest()
	req.RegionId = "eu-central-1"
	req.VSwitchId = rc.VSwitches[0].ID
	req.SecurityGroupId = rc.SecurityGroups[0].ID
	if _, err := f.client().RunInstances(req); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range f.e.State().Catalog.Regions {
		found = found || r.RegionId == "eu-central-1"
	}
	if !found {
		t.Fatal("used region not in the state catalog")
	}
	bad := ecs.CreateDescribeZonesRequest()
	bad.RegionId = "Not A Region"
	_, err := f.client().DescribeZones(bad)
	wantCode(t, err, 404, "InvalidRegionId.NotFound")
}

func TestTagResources(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1, func(r *ecs.RunInstancesRequest) { r.Tag = &[]ecs.RunInstancesTag{{Key: "a", Value: "1"}} })[0]
	c := f.client()
	tr := ecs.CreateTagResourcesRequest()
	tr.RegionId = testRegion
	tr.ResourceType = "instance"
	tr.ResourceId = &[]string{id}
	tr.Tag = &[]ecs.TagResourcesTag{{Key: "a", Value: "2"}, {Key: "b", Value: "3"}}
	if _, err := c.TagResources(tr); err != nil {
		t.Fatal(err)
	}
	tags := f.describe(id).Tags.Tag
	if len(tags) != 2 || tags[0].TagValue != "2" || tags[1].TagKey != "b" {
		t.Fatalf("tags = %+v", tags)
	}
	ut := ecs.CreateUntagResourcesRequest()
	ut.RegionId = testRegion
	ut.ResourceType = "instance"
	ut.ResourceId = &[]string{id}
	ut.TagKey = &[]string{"a"}
	if _, err := c.UntagResources(ut); err != nil {
		t.Fatal(err)
	}
	if tags := f.describe(id).Tags.Tag; len(tags) != 1 || tags[0].TagKey != "b" {
		t.Fatalf("after untag = %+v", tags)
	}
	tr.ResourceId = &[]string{"i-missing"}
	_, err := c.TagResources(tr)
	wantCode(t, err, 404, "InvalidResourceId.NotFound")
	lt := ecs.CreateListTagResourcesRequest()
	lt.RegionId = testRegion
	lt.ResourceType = "instance"
	lr, err := c.ListTagResources(lt)
	if err != nil || len(lr.TagResources.TagResource) != 1 {
		t.Fatalf("list: %+v %v", lr, err)
	}
}

func TestReadPathActions(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1, func(r *ecs.RunInstancesRequest) { r.UserData = "IyEvYmluL3NoCmVjaG8gaGk=" })[0]
	c := f.client()
	ud := ecs.CreateDescribeUserDataRequest()
	ud.RegionId = testRegion
	ud.InstanceId = id
	u, err := c.DescribeUserData(ud)
	if err != nil || u.UserData != "IyEvYmluL3NoCmVjaG8gaGk=" {
		t.Fatalf("user data: %+v %v", u, err)
	}
	rr := ecs.CreateDescribeInstanceRamRoleRequest()
	rr.RegionId = testRegion
	rr.InstanceIds = `["` + id + `"]`
	if r, err := c.DescribeInstanceRamRole(rr); err != nil || r.TotalCount != 0 {
		t.Fatalf("ram role: %+v %v", r, err)
	}
	ni := ecs.CreateDescribeNetworkInterfacesRequest()
	ni.RegionId = testRegion
	ni.InstanceId = id
	n, err := c.DescribeNetworkInterfaces(ni)
	if err != nil || len(n.NetworkInterfaceSets.NetworkInterfaceSet) != 1 || n.NetworkInterfaceSets.NetworkInterfaceSet[0].Type != "Primary" {
		t.Fatalf("enis: %+v %v", n, err)
	}
	ma := ecs.CreateDescribeInstanceMaintenanceAttributesRequest()
	ma.RegionId = testRegion
	ma.InstanceId = &[]string{id}
	if m, err := c.DescribeInstanceMaintenanceAttributes(ma); err != nil || len(m.MaintenanceAttributes.MaintenanceAttribute) != 1 {
		t.Fatalf("maintenance: %+v %v", m, err)
	}
	aa := ecs.CreateDescribeInstanceAttachmentAttributesRequest()
	aa.RegionId = testRegion
	aa.InstanceIds = `["` + id + `"]`
	if a, err := c.DescribeInstanceAttachmentAttributes(aa); err != nil || len(a.Instances.Instance) != 1 {
		t.Fatalf("attachment: %+v %v", a, err)
	}
	ar := ecs.CreateDescribeInstanceAutoRenewAttributeRequest()
	ar.RegionId = testRegion
	ar.InstanceId = id
	if a, err := c.DescribeInstanceAutoRenewAttribute(ar); err != nil || len(a.InstanceRenewAttributes.InstanceRenewAttribute) != 1 {
		t.Fatalf("auto renew: %+v %v", a, err)
	}
	ud.InstanceId = "i-missing"
	_, err = c.DescribeUserData(ud)
	wantCode(t, err, 404, "InvalidInstanceId.NotFound")
}
