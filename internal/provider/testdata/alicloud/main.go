// Command alicloud is a stand-in for the official alicloud provider, built
// only by the tests that move resources from it (instance_move_cli_test.go):
// the official binary is hundreds of MiB and needs the network. It serves the
// official schema of alicloud_instance, alicloud_ecs_snapshot_group and
// alicloud_ecs_snapshot (schema-subset.json, written by the official provider
// v1.260.0), reads and upgrades a state as it is, and plans no change of an
// existing resource. It never talks to a cloud; creating anything is an error.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"log"
	"sort"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

//go:embed schema-subset.json
var schemaJSON []byte

const address = "registry.terraform.io/aliyun/alicloud"

func main() {
	schemas, err := loadSchemas()
	if err != nil {
		log.Fatal(err)
	}
	if err := tf6server.Serve(address, func() tfprotov6.ProviderServer { return &stub{schemas: schemas} }); err != nil {
		log.Fatal(err)
	}
}

// jsonBlock is a block of `terraform providers schema -json`.
type jsonBlock struct {
	Attributes map[string]struct {
		Type      json.RawMessage `json:"type"`
		Optional  bool            `json:"optional"`
		Required  bool            `json:"required"`
		Computed  bool            `json:"computed"`
		Sensitive bool            `json:"sensitive"`
	} `json:"attributes"`
	BlockTypes map[string]struct {
		NestingMode string    `json:"nesting_mode"`
		Block       jsonBlock `json:"block"`
		MinItems    int64     `json:"min_items"`
		MaxItems    int64     `json:"max_items"`
	} `json:"block_types"`
}

func loadSchemas() (map[string]*tfprotov6.Schema, error) {
	var doc struct {
		ProviderSchemas map[string]struct {
			ResourceSchemas map[string]struct {
				Version int64     `json:"version"`
				Block   jsonBlock `json:"block"`
			} `json:"resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(schemaJSON, &doc); err != nil {
		return nil, err
	}
	out := map[string]*tfprotov6.Schema{}
	for name, rs := range doc.ProviderSchemas[address].ResourceSchemas {
		b, err := convertBlock(rs.Block)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = &tfprotov6.Schema{Version: rs.Version, Block: b}
	}
	return out, nil
}

func convertBlock(jb jsonBlock) (*tfprotov6.SchemaBlock, error) {
	b := &tfprotov6.SchemaBlock{}
	names := make([]string, 0, len(jb.Attributes))
	for n := range jb.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := jb.Attributes[n]
		t, err := tftypes.ParseJSONType(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", n, err)
		}
		b.Attributes = append(b.Attributes, &tfprotov6.SchemaAttribute{Name: n, Type: t, Optional: a.Optional,
			Required: a.Required, Computed: a.Computed, Sensitive: a.Sensitive})
	}
	names = names[:0]
	for n := range jb.BlockTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		bt := jb.BlockTypes[n]
		nested, err := convertBlock(bt.Block)
		if err != nil {
			return nil, err
		}
		mode := map[string]tfprotov6.SchemaNestedBlockNestingMode{
			"single": tfprotov6.SchemaNestedBlockNestingModeSingle, "list": tfprotov6.SchemaNestedBlockNestingModeList,
			"set": tfprotov6.SchemaNestedBlockNestingModeSet, "map": tfprotov6.SchemaNestedBlockNestingModeMap,
			"group": tfprotov6.SchemaNestedBlockNestingModeGroup,
		}[bt.NestingMode]
		b.BlockTypes = append(b.BlockTypes, &tfprotov6.SchemaNestedBlock{TypeName: n, Block: nested, Nesting: mode,
			MinItems: bt.MinItems, MaxItems: bt.MaxItems})
	}
	return b, nil
}

// stub implements what Terraform asks of a provider whose resources are
// only being moved away; the embedded interface is nil, so anything else
// (data sources, functions, ...) would fail loudly.
type stub struct {
	tfprotov6.ProviderServer
	schemas map[string]*tfprotov6.Schema
}

func (s *stub) GetMetadata(context.Context, *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	resp := &tfprotov6.GetMetadataResponse{ServerCapabilities: &tfprotov6.ServerCapabilities{}}
	for name := range s.schemas {
		resp.Resources = append(resp.Resources, tfprotov6.ResourceMetadata{TypeName: name})
	}
	return resp, nil
}

func (s *stub) GetProviderSchema(context.Context, *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return &tfprotov6.GetProviderSchemaResponse{
		ServerCapabilities: &tfprotov6.ServerCapabilities{},
		Provider:           &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{}},
		ResourceSchemas:    s.schemas,
		DataSourceSchemas:  map[string]*tfprotov6.Schema{},
		Functions:          map[string]*tfprotov6.Function{},
	}, nil
}

func (s *stub) GetResourceIdentitySchemas(context.Context, *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov6.GetResourceIdentitySchemasResponse{IdentitySchemas: map[string]*tfprotov6.ResourceIdentitySchema{}}, nil
}

func (s *stub) ValidateProviderConfig(_ context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return &tfprotov6.ValidateProviderConfigResponse{PreparedConfig: req.Config}, nil
}

func (s *stub) ConfigureProvider(context.Context, *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return &tfprotov6.ConfigureProviderResponse{}, nil
}

func (s *stub) StopProvider(context.Context, *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return &tfprotov6.StopProviderResponse{}, nil
}

func (s *stub) ValidateResourceConfig(context.Context, *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return &tfprotov6.ValidateResourceConfigResponse{}, nil
}

func (s *stub) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	sc, ok := s.schemas[req.TypeName]
	if !ok {
		return nil, fmt.Errorf("unknown resource type %s", req.TypeName)
	}
	typ := sc.ValueType()
	v, err := req.RawState.UnmarshalWithOpts(typ, tfprotov6.UnmarshalOpts{
		ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return nil, err
	}
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		return nil, err
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
}

func (s *stub) ReadResource(_ context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

func (s *stub) PlanResourceChange(_ context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	sc := s.schemas[req.TypeName]
	prior, err := req.PriorState.Unmarshal(sc.ValueType())
	if err != nil {
		return nil, err
	}
	if prior.IsNull() {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: []*tfprotov6.Diagnostic{{
			Severity: tfprotov6.DiagnosticSeverityError, Summary: "The alicloud stand-in creates nothing",
			Detail: "This test stand-in only serves states that are moved away from it."}}}, nil
	}
	planned, err := req.ProposedNewState.Unmarshal(sc.ValueType())
	if err != nil {
		return nil, err
	}
	if planned.IsNull() {
		return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState}, nil // destroy
	}
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.PriorState, PlannedPrivate: req.PriorPrivate}, nil
}

func (s *stub) ApplyResourceChange(_ context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return &tfprotov6.ApplyResourceChangeResponse{NewState: req.PlannedState, Private: req.PlannedPrivate}, nil
}
