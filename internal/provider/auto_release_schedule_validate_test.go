package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Both or neither of release_time and release_after: exactly one error,
// naming both attributes (terraform validate used to print it twice).
func TestAutoReleaseScheduleExactlyOneErrorOnce(t *testing.T) {
	ctx := context.Background()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemas.ResourceSchemas["aliecs_auto_release_schedule"].ValueType().(tftypes.Object)
	for name, set := range map[string]map[string]any{
		"both":    {"instance_id": "i-bp67acfmxazb4ph1234", "release_time": "2030-01-02T03:04:05Z", "release_after": "2h"},
		"neither": {"instance_id": "i-bp67acfmxazb4ph1234"},
	} {
		t.Run(name, func(t *testing.T) {
			dv, err := tfprotov6.NewDynamicValue(typ, badValue(t, typ, set))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{
				TypeName: "aliecs_auto_release_schedule", Config: &dv})
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			for _, d := range resp.Diagnostics {
				if d.Severity == tfprotov6.DiagnosticSeverityError {
					errs = append(errs, d.Summary+": "+d.Detail)
				}
			}
			if len(errs) != 1 {
				t.Fatalf("%d errors, want 1:\n%s", len(errs), strings.Join(errs, "\n"))
			}
			if !strings.Contains(errs[0], "release_time") || !strings.Contains(errs[0], "release_after") {
				t.Errorf("error %q does not name both attributes", errs[0])
			}
		})
	}
}
