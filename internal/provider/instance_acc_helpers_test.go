package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// instanceCatalog is what the instance tests pick from the emulator's
// catalog of the test region.
type instanceCatalog struct {
	vswitch, vswitch2 string // in different zones
	zone, zone2       string
	sg, sg2           string
	image, image2     string
}

func newInstanceCatalog(t *testing.T, env *accEnv) instanceCatalog {
	t.Helper()
	st := env.emu.State()
	var c instanceCatalog
	for _, v := range st.Catalog.VSwitches {
		if v.RegionID != accRegion {
			continue
		}
		switch {
		case c.vswitch == "":
			c.vswitch, c.zone = v.ID, v.ZoneID
		case c.vswitch2 == "" && v.ZoneID != c.zone:
			c.vswitch2, c.zone2 = v.ID, v.ZoneID
		}
	}
	for _, g := range st.Catalog.SecurityGroups {
		if g.RegionID != accRegion {
			continue
		}
		if c.sg == "" {
			c.sg = g.ID
		} else if c.sg2 == "" {
			c.sg2 = g.ID
		}
	}
	for _, img := range st.Catalog.Images {
		if img.OSType != "linux" {
			continue
		}
		if c.image == "" {
			c.image = img.ImageId
		} else if c.image2 == "" && img.Size <= 20 {
			c.image2 = img.ImageId
		}
	}
	if c.vswitch2 == "" || c.sg2 == "" || c.image2 == "" {
		t.Fatalf("the emulator's catalog lacks what the tests need: %+v", c)
	}
	return c
}

// instanceSDKClient is a client of the real SDK on the test's emulator, for changes
// made "outside Terraform".
func (e *accEnv) instanceSDKClient() *ecsapi.Client {
	e.t.Helper()
	c, err := ecsapi.New(ecsapi.Config{
		RegionID:        accRegion,
		AccessKeyID:     accAccessKey,
		AccessKeySecret: accSecretKey,
		Endpoint:        strings.TrimPrefix(e.server.URL, "http://"),
		Scheme:          "HTTP",
	})
	if err != nil {
		e.t.Fatalf("creating an SDK client: %v", err)
	}
	return c
}

// instanceInEmu returns the emulator's view of an instance, or nil.
func (e *accEnv) instanceInEmu(id string) *emulator.Instance {
	for _, in := range e.emu.State().Instances {
		if in.InstanceId == id {
			in := in
			return &in
		}
	}
	return nil
}

// instanceCheckNoneLeft is a CheckDestroy: the emulator holds no instance.
func (e *accEnv) instanceCheckNoneLeft(*terraform.State) error {
	if insts := e.emu.State().Instances; len(insts) != 0 {
		ids := make([]string, 0, len(insts))
		for _, in := range insts {
			ids = append(ids, in.InstanceId+" ("+in.Status+")")
		}
		return fmt.Errorf("instances left in the emulator: %s", strings.Join(ids, ", "))
	}
	return nil
}

// instanceStateID reads a resource's id from the state for use in a later step.
func instanceStateID(addr string, dst *string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		*dst = rs.Primary.ID
		return nil
	}
}

// instanceCreateOutside makes an instance through the real SDK, as another tool would.
func (e *accEnv) instanceCreateOutside(c instanceCatalog, name string, tags map[string]string) string {
	e.t.Helper()
	tok := newClientToken()
	id, err := e.instanceSDKClient().RunInstance(context.Background(), ecsapi.RunInstanceInput{
		ClientToken: tok, ImageID: c.image, InstanceType: "ecs.t6-c1m2.large", VSwitchID: c.vswitch,
		SecurityGroupIDs: []string{c.sg}, Name: name, Tags: tags,
		SystemDisk: ecsapi.SystemDiskSpec{Category: "cloud_essd"},
	})
	if err != nil {
		e.t.Fatalf("creating %s outside Terraform: %v", name, err)
	}
	return id
}
