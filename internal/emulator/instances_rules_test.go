package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func TestRunInstancesValidation(t *testing.T) {
	f := newFixture(t, Options{})
	rc := f.catalog()
	future := func(d time.Duration) string { return f.e.Now().Add(d).UTC().Format("2006-01-02T15:04:05Z") }
	cases := []struct {
		name   string
		mut    func(*ecs.RunInstancesRequest)
		status int
		code   string
	}{
		{"no image", func(r *ecs.RunInstancesRequest) { r.ImageId = "" }, 400, "MissingParameter"},
		{"no type", func(r *ecs.RunInstancesRequest) { r.InstanceType = "" }, 400, "MissingParameter"},
		{"no vswitch", func(r *ecs.RunInstancesRequest) { r.VSwitchId = "" }, 400, "MissingParameter"},
		{"no security group", func(r *ecs.RunInstancesRequest) { r.SecurityGroupId = "" }, 400, "MissingParameter"},
		{"unknown image", func(r *ecs.RunInstancesRequest) { r.ImageId = "m-nope" }, 404, "InvalidImageId.NotFound"},
		{"unknown type", func(r *ecs.RunInstancesRequest) { r.InstanceType = "ecs.x9.huge" }, 400, "InvalidInstanceType.ValueNotSupported"},
		{"unknown vswitch", func(r *ecs.RunInstancesRequest) { r.VSwitchId = "vsw-nope" }, 404, "InvalidVSwitchId.NotFound"},
		{"vswitch of another region", func(r *ecs.RunInstancesRequest) { r.VSwitchId = buildRegion("cn-beijing").VSwitches[0].ID }, 404, "InvalidVSwitchId.NotFound"},
		{"unknown security group", func(r *ecs.RunInstancesRequest) { r.SecurityGroupId = "sg-nope" }, 404, "InvalidSecurityGroupId.NotFound"},
		{"zone mismatch", func(r *ecs.RunInstancesRequest) { r.ZoneId = rc.Zones[1].ZoneId }, 404, "InvalidVSwitchId.NotFound"},
		{"unknown zone", func(r *ecs.RunInstancesRequest) { r.ZoneId = "cn-hangzhou-z" }, 404, "InvalidZoneId.NotFound"},
		{"name too short", func(r *ecs.RunInstancesRequest) { r.InstanceName = "a" }, 400, "InvalidInstanceName.Malformed"},
		{"name starts with digit", func(r *ecs.RunInstancesRequest) { r.InstanceName = "1abc" }, 400, "InvalidInstanceName.Malformed"},
		{"name with space", func(r *ecs.RunInstancesRequest) { r.InstanceName = "a b" }, 400, "InvalidInstanceName.Malformed"},
		{"name too long", func(r *ecs.RunInstancesRequest) { r.InstanceName = "a" + strings.Repeat("b", 128) }, 400, "InvalidInstanceName.Malformed"},
		{"description url", func(r *ecs.RunInstancesRequest) { r.Description = "https://x" }, 400, "InvalidDescription.Malformed"},
		{"description short", func(r *ecs.RunInstancesRequest) { r.Description = "x" }, 400, "InvalidDescription.Malformed"},
		{"hostname dot start", func(r *ecs.RunInstancesRequest) { r.HostName = ".host" }, 400, "InvalidHostName.Malformed"},
		{"hostname double sep", func(r *ecs.RunInstancesRequest) { r.HostName = "a..b" }, 400, "InvalidHostName.Malformed"},
		{"hostname trailing dash", func(r *ecs.RunInstancesRequest) { r.HostName = "ab-" }, 400, "InvalidHostName.Malformed"},
		{"password short", func(r *ecs.RunInstancesRequest) { r.Password = "Ab1!" }, 400, "InvalidPassword.Malformed"},
		{"password two classes", func(r *ecs.RunInstancesRequest) { r.Password = "abcdefgh123" }, 400, "InvalidPassword.Malformed"},
		{"password bad char", func(r *ecs.RunInstancesRequest) { r.Password = "Abcdefg1 x" }, 400, "InvalidPassword.Malformed"},
		{"amount 0", func(r *ecs.RunInstancesRequest) { r.Amount = "0" }, 400, "InvalidParameter.Amount"},
		{"amount 101", func(r *ecs.RunInstancesRequest) { r.Amount = "101" }, 400, "InvalidParameter.Amount"},
		{"bandwidth 101", func(r *ecs.RunInstancesRequest) { r.InternetMaxBandwidthOut = "101" }, 400, "InvalidInternetMaxBandwidthOut.Malformed"},
		{"release malformed", func(r *ecs.RunInstancesRequest) { r.AutoReleaseTime = "2030-01-01 00:00:00" }, 400, "InvalidAutoReleaseTime.Malformed"},
		{"release too soon", func(r *ecs.RunInstancesRequest) { r.AutoReleaseTime = future(29 * time.Minute) }, 400, "InvalidAutoReleaseTime.Malformed"},
		{"release too late", func(r *ecs.RunInstancesRequest) { r.AutoReleaseTime = future(3*366*24*time.Hour + time.Hour) }, 400, "InvalidAutoReleaseTime.Malformed"},
		{"system disk category", func(r *ecs.RunInstancesRequest) { r.SystemDiskCategory = "floppy" }, 400, "InvalidSystemDiskCategory.ValueNotSupported"},
		{"data disk size", func(r *ecs.RunInstancesRequest) {
			r.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "10", Category: "cloud_essd"}}
		}, 400, "InvalidDataDiskSize.ValueNotSupported"},
		{"bad bool", func(r *ecs.RunInstancesRequest) { r.DeletionProtection = "maybe" }, 400, "InvalidParameter"},
		{"too many tags", func(r *ecs.RunInstancesRequest) {
			var tags []ecs.RunInstancesTag
			for i := 0; i < 21; i++ {
				tags = append(tags, ecs.RunInstancesTag{Key: fmt.Sprintf("k%d", i), Value: "v"})
			}
			r.Tag = &tags
		}, 400, "InvalidTagCount"},
		{"bad token", func(r *ecs.RunInstancesRequest) { r.ClientToken = strings.Repeat("x", 65) }, 400, "InvalidClientToken.ValueNotSupported"},
		{"dry run", func(r *ecs.RunInstancesRequest) { r.DryRun = requests.NewBoolean(true) }, 400, "DryRunOperation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := f.runRequest()
			tc.mut(req)
			_, err := f.client().RunInstances(req)
			wantCode(t, err, tc.status, tc.code)
		})
	}
	if n := len(f.e.State().Instances); n != 0 {
		t.Fatalf("%d instances created by failing calls", n)
	}
}

func TestRunInstancesAcceptsEdgeValues(t *testing.T) {
	f := newFixture(t, Options{})
	release := f.e.Now().Add(31 * time.Minute).UTC().Format("2006-01-02T15:04:05Z")
	ids := f.run(1, func(r *ecs.RunInstancesRequest) {
		r.InstanceName = "中文名称-1.a_b:c"
		r.HostName = "web-01.example"
		r.Password = "Passw0rd!"
		r.Description = "ok"
		r.ZoneId = f.catalog().Zones[0].ZoneId
		r.AutoReleaseTime = release
		r.DeletionProtection = requests.NewBoolean(true)
	})
	in := f.describe(ids[0])
	if in.InstanceName != "中文名称-1.a_b:c" || in.HostName != "web-01.example" || !in.DeletionProtection {
		t.Fatalf("instance = %+v", in)
	}
	if want := release[:16] + "Z"; in.AutoReleaseTime != want {
		t.Fatalf("AutoReleaseTime = %q, want %q", in.AutoReleaseTime, want)
	}
}

func TestIdempotentRunInstances(t *testing.T) {
	f := newFixture(t, Options{})
	a := f.run(2, func(r *ecs.RunInstancesRequest) { r.ClientToken = "tok-1" })
	b := f.run(2, func(r *ecs.RunInstancesRequest) { r.ClientToken = "tok-1" })
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("replay gave %v, first %v", b, a)
	}
	if n := len(f.e.State().Instances); n != 2 {
		t.Fatalf("%d instances", n)
	}
	req := f.runRequest()
	req.ClientToken = "tok-1"
	req.Amount = "3"
	_, err := f.client().RunInstances(req)
	wantCode(t, err, http.StatusForbidden, "IdempotentParameterMismatch")
}

func TestDescribeInstancesFiltersAndPaging(t *testing.T) {
	f := newFixture(t, Options{})
	var ids []string
	for i := 0; i < 25; i++ {
		name := fmt.Sprintf("web-%02d", i)
		if i%5 == 0 {
			name = fmt.Sprintf("db-%02d", i)
		}
		ids = append(ids, f.run(1, func(r *ecs.RunInstancesRequest) {
			r.InstanceName = name
			r.Tag = &[]ecs.RunInstancesTag{{Key: "idx", Value: fmt.Sprint(i % 2)}}
		})...)
	}
	c := f.client()
	list := func(mut func(*ecs.DescribeInstancesRequest)) *ecs.DescribeInstancesResponse {
		t.Helper()
		req := ecs.CreateDescribeInstancesRequest()
		req.RegionId = testRegion
		mut(req)
		resp, err := c.DescribeInstances(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	// Page numbers.
	seen := map[string]bool{}
	for pn := 1; pn <= 3; pn++ {
		r := list(func(r *ecs.DescribeInstancesRequest) { r.PageNumber = requests.NewInteger(pn); r.PageSize = "10" })
		if r.TotalCount != 25 || r.PageNumber != pn {
			t.Fatalf("page %d: total %d", pn, r.TotalCount)
		}
		for _, in := range r.Instances.Instance {
			seen[in.InstanceId] = true
		}
	}
	if len(seen) != 25 {
		t.Fatalf("pages covered %d instances", len(seen))
	}
	// Tokens.
	seen = map[string]bool{}
	token, pages := "", 0
	for {
		r := list(func(r *ecs.DescribeInstancesRequest) { r.MaxResults = "10"; r.NextToken = token })
		pages++
		for _, in := range r.Instances.Instance {
			seen[in.InstanceId] = true
		}
		if token = r.NextToken; token == "" {
			break
		}
	}
	if len(seen) != 25 || pages != 3 {
		t.Fatalf("token paging: %d instances in %d pages", len(seen), pages)
	}
	if r := list(func(r *ecs.DescribeInstancesRequest) { r.InstanceName = "db-*" }); r.TotalCount != 5 {
		t.Fatalf("wildcard: %d", r.TotalCount)
	}
	if r := list(func(r *ecs.DescribeInstancesRequest) {
		r.Tag = &[]ecs.DescribeInstancesTag{{Key: "idx", Value: "1"}}
		r.PageSize = "100"
	}); r.TotalCount != 12 {
		t.Fatalf("tag filter: %d", r.TotalCount)
	}
	if r := list(func(r *ecs.DescribeInstancesRequest) { r.InstanceIds = `["` + ids[3] + `","i-gone"]` }); r.TotalCount != 1 || r.Instances.Instance[0].InstanceId != ids[3] {
		t.Fatalf("ids filter: %+v", r.Instances)
	}
	if r := list(func(r *ecs.DescribeInstancesRequest) { r.Status = "Stopped" }); r.TotalCount != 0 {
		t.Fatalf("status filter: %d", r.TotalCount)
	}
	if r := list(func(r *ecs.DescribeInstancesRequest) { r.RegionId = "cn-beijing" }); r.TotalCount != 0 {
		t.Fatalf("other region: %d", r.TotalCount)
	}
	for _, bad := range []struct{ ids, code string }{{`not json`, "InvalidInstanceIds.Malformed"},
		{`["` + strings.Repeat(`i-x","`, 100) + `i-y"]`, "InvalidInstanceIds.Malformed"}} {
		req := ecs.CreateDescribeInstancesRequest()
		req.RegionId = testRegion
		req.InstanceIds = bad.ids
		_, err := c.DescribeInstances(req)
		wantCode(t, err, 400, bad.code)
	}
	req := ecs.CreateDescribeInstancesRequest()
	req.RegionId = testRegion
	req.Status = "Flying"
	_, err := c.DescribeInstances(req)
	wantCode(t, err, 404, "InvalidStatus.NotFound")
	req = ecs.CreateDescribeInstancesRequest()
	req.RegionId = testRegion
	req.NextToken = "garbage"
	_, err = c.DescribeInstances(req)
	wantCode(t, err, 400, "InvalidParameter.NextToken")
}

func TestAutoReleaseSchedule(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1, func(r *ecs.RunInstancesRequest) { r.DeletionProtection = requests.NewBoolean(true) })[0]
	c := f.client()
	mod := func(v string) error {
		req := ecs.CreateModifyInstanceAutoReleaseTimeRequest()
		req.RegionId = testRegion
		req.InstanceId = id
		req.AutoReleaseTime = v
		_, err := c.ModifyInstanceAutoReleaseTime(req)
		return err
	}
	now := f.e.Now()
	wantCode(t, mod(now.Add(10*time.Minute).Format("2006-01-02T15:04:05Z")), 400, "InvalidAutoReleaseTime.Malformed")
	wantCode(t, mod("tomorrow"), 400, "InvalidAutoReleaseTime.Malformed")
	wantCode(t, mod(now.AddDate(3, 0, 2).Format("2006-01-02T15:04:05Z")), 400, "InvalidAutoReleaseTime.Malformed")
	at := now.Add(time.Hour).Truncate(time.Minute).Add(37 * time.Second)
	if err := mod(at.Format("2006-01-02T15:04:05Z")); err != nil {
		t.Fatal(err)
	}
	if got := f.describe(id).AutoReleaseTime; got != at.Format("2006-01-02T15:04Z") {
		t.Fatalf("AutoReleaseTime = %q", got)
	}
	if err := mod(""); err != nil { // cancel
		t.Fatal(err)
	}
	if got := f.describe(id).AutoReleaseTime; got != "" {
		t.Fatalf("after cancel: %q", got)
	}
	if err := mod(at.Format("2006-01-02T15:04:05Z")); err != nil {
		t.Fatal(err)
	}
	f.e.AdvanceClock(30 * time.Minute)
	if f.describe(id) == nil {
		t.Fatal("released too early")
	}
	f.e.AdvanceClock(31 * time.Minute)
	if in := f.describe(id); in != nil {
		t.Fatalf("not released (deletion protection must not block auto-release): %+v", in)
	}
	if n := len(f.e.State().Disks); n != 0 {
		t.Fatalf("%d disks left", n)
	}
	req := ecs.CreateModifyInstanceAutoReleaseTimeRequest()
	req.InstanceId = id
	_, err := c.ModifyInstanceAutoReleaseTime(req)
	wantCode(t, err, 404, "NoSuchResource")
	req = ecs.CreateModifyInstanceAutoReleaseTimeRequest() // the SDK keeps old params on a reused request
	_, err = c.ModifyInstanceAutoReleaseTime(req)
	wantCode(t, err, 400, "MissingParameter")
}

func TestDeletionProtectionAndModify(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1, func(r *ecs.RunInstancesRequest) { r.DeletionProtection = requests.NewBoolean(true) })[0]
	c := f.client()
	del := ecs.CreateDeleteInstanceRequest()
	del.InstanceId = id
	del.Force = requests.NewBoolean(true)
	_, err := c.DeleteInstance(del)
	wantCode(t, err, 403, "InvalidOperation.DeletionProtection")
	mod := ecs.CreateModifyInstanceAttributeRequest()
	mod.InstanceId = id
	mod.InstanceName = "renamed"
	mod.Description = "new description"
	mod.HostName = "new-host"
	mod.Password = "N3w-Passw0rd"
	mod.DeletionProtection = requests.NewBoolean(false)
	if _, err := c.ModifyInstanceAttribute(mod); err != nil {
		t.Fatal(err)
	}
	in := f.describe(id)
	if in.InstanceName != "renamed" || in.Description != "new description" || in.HostName != "new-host" || in.DeletionProtection {
		t.Fatalf("after modify: %+v", in)
	}
	for _, tc := range []struct {
		mut  func(*ecs.ModifyInstanceAttributeRequest)
		code string
	}{
		{func(r *ecs.ModifyInstanceAttributeRequest) { r.InstanceName = "-x" }, "InvalidInstanceName.Malformed"},
		{func(r *ecs.ModifyInstanceAttributeRequest) { r.Description = "http://x" }, "InvalidDescription.Malformed"},
		{func(r *ecs.ModifyInstanceAttributeRequest) { r.HostName = "a" }, "InvalidHostName.Malformed"},
		{func(r *ecs.ModifyInstanceAttributeRequest) { r.Password = "short" }, "InvalidPassword.Malformed"},
	} {
		r := ecs.CreateModifyInstanceAttributeRequest()
		r.InstanceId = id
		tc.mut(r)
		_, err := c.ModifyInstanceAttribute(r)
		wantCode(t, err, 400, tc.code)
	}
	attr := ecs.CreateDescribeInstanceAttributeRequest()
	attr.InstanceId = id
	a, err := c.DescribeInstanceAttribute(attr)
	if err != nil {
		t.Fatal(err)
	}
	if a.InstanceName != "renamed" || a.Status != "Running" || a.Cpu != 2 || a.VpcAttributes.VSwitchId != f.catalog().VSwitches[0].ID {
		t.Fatalf("attribute = %+v", a)
	}
	if _, err := c.DeleteInstance(del); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeInstanceAttribute(attr)
	wantCode(t, err, 404, "InvalidInstanceId.NotFound")
}

func TestDeleteInstancesAndStatus(t *testing.T) {
	f := newFixture(t, Options{StopTime: time.Minute})
	ids := f.run(3, func(r *ecs.RunInstancesRequest) { r.ClientToken = "batch" })
	c := f.client()
	st := ecs.CreateDescribeInstanceStatusRequest()
	st.RegionId = testRegion
	st.InstanceId = &ids
	resp, err := c.DescribeInstanceStatus(st)
	if err != nil {
		t.Fatal(err)
	}
	if resp.TotalCount != 3 || resp.InstanceStatuses.InstanceStatus[0].Status != "Running" {
		t.Fatalf("status = %+v", resp)
	}
	del := ecs.CreateDeleteInstancesRequest()
	del.RegionId = testRegion
	del.InstanceId = &ids
	_, err = c.DeleteInstances(del)
	wantCode(t, err, 403, "IncorrectInstanceStatus")
	del.DryRun = requests.NewBoolean(true)
	del.Force = requests.NewBoolean(true)
	_, err = c.DeleteInstances(del)
	wantCode(t, err, 400, "DryRunOperation")
	if len(f.e.State().Instances) != 3 {
		t.Fatal("dry run released instances")
	}
	del.DryRun = requests.NewBoolean(false)
	del.ClientToken = "del-1"
	if _, err := c.DeleteInstances(del); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteInstances(del); err != nil { // idempotent replay
		t.Fatalf("replay: %v", err)
	}
	if n := len(f.e.State().Instances); n != 0 {
		t.Fatalf("%d instances left", n)
	}
	// The call log has a record of each call for each instance it named,
	// with the instance's status when it ran.
	released := map[string]string{}
	for _, rec := range f.e.CallLog() {
		if _, seen := released[rec.InstanceID]; rec.Action == "DeleteInstances" && rec.Code == "" && !seen {
			released[rec.InstanceID] = rec.InstanceStatus // the first: the replay found them gone
		}
	}
	if len(released) != 3 {
		t.Fatalf("records of the successful DeleteInstances: %v, want one for each of %v", released, ids)
	}
	for _, id := range ids {
		if released[id] != "Running" {
			t.Errorf("%s: recorded status %q, want Running", id, released[id])
		}
	}
}

func TestCreateInstanceEndsStopped(t *testing.T) {
	f := newFixture(t, Options{})
	rc := f.catalog()
	req := ecs.CreateCreateInstanceRequest()
	req.RegionId = testRegion
	req.ImageId = "debian_12_x64_20G_alibase_20240101.vhd"
	req.InstanceType = "ecs.c7.large"
	req.VSwitchId = rc.VSwitches[2].ID
	req.SecurityGroupId = rc.SecurityGroups[1].ID
	req.InternetMaxBandwidthOut = "5"
	resp, err := f.client().CreateInstance(req)
	if err != nil {
		t.Fatal(err)
	}
	in := f.describe(resp.InstanceId)
	if in.Status != "Stopped" || len(in.PublicIpAddress.IpAddress) != 0 || in.ZoneId != rc.VSwitches[2].ZoneID {
		t.Fatalf("instance = %+v", in)
	}
}

func TestInvisibleAfterCreate(t *testing.T) {
	f := newFixture(t, Options{})
	f.e.AddFault(Fault{Action: "RunInstances", InvisibleForCalls: 2})
	id := f.run(1)[0]
	// Each describe counts as one call: the first two must not see it.
	for call := 1; call <= 2; call++ {
		if f.describe(id) != nil {
			t.Fatalf("visible at call %d", call)
		}
	}
	if f.describe(id) == nil {
		t.Fatal("never visible")
	}
	g := newFixture(t, Options{InvisibleFor: time.Minute})
	id = g.run(1)[0]
	if g.describe(id) != nil {
		t.Fatal("visible too early")
	}
	g.e.AdvanceClock(time.Minute)
	if g.describe(id) == nil {
		t.Fatal("never visible")
	}
}

func TestPrePaidRules(t *testing.T) {
	f := newFixture(t, Options{})
	req := f.runRequest()
	req.InstanceChargeType = "PrePaid"
	_, err := f.client().RunInstances(req)
	wantCode(t, err, 400, "MissingParameter")
	id := f.run(1, func(r *ecs.RunInstancesRequest) {
		r.InstanceChargeType = "PrePaid"
		r.Period = "1"
		r.Tag = &[]ecs.RunInstancesTag{{Key: "odd key", Value: "a*b ~c/d+e=f&g"}}
	})[0]
	in := f.describe(id)
	if in.InstanceChargeType != "PrePaid" || in.ExpiredTime == expiredTimeDefault || in.Tags.Tag[0].TagValue != "a*b ~c/d+e=f&g" {
		t.Fatalf("prepaid instance = %+v", in)
	}
	mod := ecs.CreateModifyInstanceAutoReleaseTimeRequest()
	mod.InstanceId = id
	mod.AutoReleaseTime = f.e.Now().Add(time.Hour).Format("2006-01-02T15:04:05Z")
	_, err = f.client().ModifyInstanceAutoReleaseTime(mod)
	wantCode(t, err, 403, "ChargeTypeViolation")
	del := ecs.CreateDeleteInstanceRequest()
	del.InstanceId = id
	del.Force = requests.NewBoolean(true)
	_, err = f.client().DeleteInstance(del)
	wantCode(t, err, 403, "ChargeTypeViolation")
	f.e.AdvanceClock(32 * 24 * time.Hour)
	if _, err := f.client().DeleteInstance(del); err != nil {
		t.Fatalf("expired prepaid: %v", err)
	}
}
