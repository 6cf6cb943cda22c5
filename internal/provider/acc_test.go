package provider

import (
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// accEnv is one in-process ECS emulator served over real HTTP, with the
// provider configured against it. Each acceptance test gets its own, so
// tests never see each other's instances.
type accEnv struct {
	t      *testing.T
	emu    *emulator.Emulator
	server *httptest.Server
	clock  clock.Clock
	// providerEnv is environment the in-process provider sees on top of
	// the process's, so that a test needs no t.Setenv and can run in parallel.
	providerEnv map[string]string
}

const (
	accRegion    = "cn-hangzhou"
	accAccessKey = "emulator"
	accSecretKey = "emulator-secret"
)

// The SDK builds its global endpoint map on first use, unsynchronised
// (ecsapi.New guards its own first use with a sync.Once, but the tests also
// make SDK clients directly, in parallel): build it before any test runs.
func init() { _ = ecs.GetEndpointMap() }

// newAccEnv starts an emulator for one test. Transition times default to 0.
func newAccEnv(t *testing.T, opts emulator.Options) *accEnv {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run with TF_ACC=1 (make testacc)")
	}
	requireTofuHost(t)
	emu, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	server := httptest.NewServer(emu)
	t.Cleanup(func() {
		server.Close()
		_ = emu.Close()
	})
	return &accEnv{t: t, emu: emu, server: server, clock: clock.Real{}}
}

// providerConfig is the provider block every test configuration starts with.
func (e *accEnv) providerConfig() string { return e.providerBlock() }

// providerBlock is the provider block for this emulator, with extra
// settings (such as "max_retries = 5").
func (e *accEnv) providerBlock(settings ...string) string {
	return fmt.Sprintf(`
provider "aliecs" {
  region     = %q
  endpoint   = %q
  access_key = %q
  secret_key = %q
  %s
}
`, accRegion, e.server.URL, accAccessKey, accSecretKey, strings.Join(settings, "\n  "))
}

// config prepends the provider block to a test configuration.
func (e *accEnv) config(body string) string { return e.providerConfig() + body }

// factories attaches the provider under test by reattach: no registry, no network.
func (e *accEnv) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	p := newWithClock("test", e.clock)()
	if env := e.providerEnv; len(env) > 0 {
		p.(*aliecsProvider).getenv = func(k string) string {
			if v, ok := env[k]; ok {
				return v
			}
			return os.Getenv(k)
		}
	}
	return map[string]func() (tfprotov6.ProviderServer, error){
		"aliecs": providerserver.NewProtocol6WithError(p),
	}
}

// releaseCalls counts the release calls among calls: each machine's own
// DeleteInstance and the DeleteInstances that releases coming together
// share, so that "nothing was released" also sees a shared call.
func releaseCalls(calls map[string]int) int {
	return calls["DeleteInstance"] + calls["DeleteInstances"]
}

// isRelease says whether a call-log action releases instances.
func isRelease(action string) bool { return action == "DeleteInstance" || action == "DeleteInstances" }
