package ecsapi

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// The reference listings read the whole region in a few calls, with the
// wire shapes of the real API (the emulator answers with the SDK's types).
func TestReferenceListingsOnEmulator(t *testing.T) {
	c, e := emulatorClient(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st := e.State()

	vsws, err := c.ListVSwitches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vpcs := map[string]bool{}
	for _, v := range vsws {
		vpcs[v.VpcID] = true
	}
	if len(vsws) != 4 || len(vpcs) != 2 {
		t.Errorf("vSwitches %+v: want 4 in 2 VPCs", vsws)
	}
	groups, err := c.ListSecurityGroups(ctx)
	if err != nil || len(groups) != 3 {
		t.Errorf("security groups %+v, %v: want 3", groups, err)
	}
	keys, err := c.ListKeyPairs(ctx)
	if err != nil || len(keys) != 2 {
		t.Errorf("key pairs %v, %v: want 2", keys, err)
	}
	types, err := c.ListInstanceTypes(ctx)
	if err != nil || len(types) != len(st.Catalog.InstanceTypes) {
		t.Errorf("instance types %v, %v", types, err)
	}
	stock, err := c.InstanceTypeStock(ctx, "ecs.gn7i-c32g1.8xlarge", "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, z := range stock {
		got[z.ZoneID] = z.Available
	}
	if got["cn-hangzhou-h"] || !got["cn-hangzhou-i"] || !got["cn-hangzhou-j"] {
		t.Errorf("stock %+v: want sold out in h only", stock)
	}
	im, err := c.GetImage(ctx, "win2022_21H2_x64_dtc_en-us_40G_alibase_20240101.vhd")
	if err != nil || im.OSType != "windows" {
		t.Errorf("the Windows image: %+v, %v", im, err)
	}
	if calls := e.Calls(); calls["DescribeVSwitches"] != 1 || calls["DescribeSecurityGroups"] != 1 {
		t.Errorf("calls %v: one page each", calls)
	}
}

// With a VPC endpoint, vSwitches come from the VPC API (Version
// 2016-04-28), which the emulator serves on its one port.
func TestListVSwitchesThroughTheVPCAPI(t *testing.T) {
	c, e := emulatorClient(t, emulator.Options{})
	// Only the VPC endpoint reaches the emulator.
	c.cfg.VPCEndpoint, c.cfg.VPCScheme, c.cfg.Endpoint = c.cfg.Endpoint, "HTTP", "127.0.0.1:1"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	vsws, err := c.ListVSwitches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vsws) != 4 || vsws[0].VpcID == "" || vsws[0].ZoneID == "" {
		t.Errorf("vSwitches %+v", vsws)
	}
	if calls := e.Calls(); calls["DescribeVSwitches"] != 1 {
		t.Errorf("calls %v", calls)
	}
}

// A transport failure of a VPC API call names the VPC endpoint.
func TestVPCTransportErrorNamesTheVPCEndpoint(t *testing.T) {
	c, _ := emulatorClient(t, emulator.Options{})
	c.cfg.VPCEndpoint, c.cfg.VPCScheme, c.cfg.RefusedRetryFor = "127.0.0.1:1", "HTTP", time.Millisecond
	_, err := c.ListVSwitches(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the VPC endpoint http://127.0.0.1:1") {
		t.Errorf("want the VPC endpoint named: %v", err)
	}
}
