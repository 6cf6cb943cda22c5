package ecsapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

const testRoleARN = "acs:ram::1380000000000000:role/deployer"

// stsEnv is an emulator (ECS, STS and metadata) behind a real HTTP server.
type stsEnv struct {
	emu  *emulator.Emulator
	host string
	url  string
	sts  *STS
}

func newSTSEnv(t *testing.T, opts emulator.Options) *stsEnv {
	t.Helper()
	emu, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	s, err := NewSTS(STSConfig{Endpoint: host, Scheme: "http", MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	return &stsEnv{emu: emu, host: host, url: srv.URL, sts: s}
}

func (e *stsEnv) base() CredentialSource {
	return StaticCredentials(emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, "")
}

func (e *stsEnv) client(t *testing.T, src CredentialSource) *Client {
	t.Helper()
	c, err := New(Config{RegionID: "cn-hangzhou", Credentials: src, Endpoint: e.host, Scheme: "http", MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// probe makes one ECS call.
func probe(ctx context.Context, c *Client) error {
	_, err := c.ListInstances(ctx, InstanceFilter{})
	return err
}

// A role's keys are renewed before they expire: calls spread over three
// lifetimes of the keys never meet an expired key.
func TestAssumeRoleSourceRenewsBeforeExpiry(t *testing.T) {
	env := newSTSEnv(t, emulator.Options{STS: emulator.STSOptions{TTL: 2 * time.Second}})
	src := env.sts.AssumeRoleSource("assume_role", env.base(), AssumeRoleInput{RoleARN: testRoleARN, SessionName: "tf", Duration: time.Hour})
	c := env.client(t, src)
	ctx := context.Background()
	deadline := time.Now().Add(6 * time.Second)
	for n := 0; time.Now().Before(deadline); n++ {
		if err := probe(ctx, c); err != nil {
			t.Fatalf("call %d: %v", n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	calls := env.emu.Calls()
	if calls["AssumeRole"] < 3 || calls["AssumeRole"] > 8 {
		t.Fatalf("AssumeRole called %d times over 6 s of 2 s keys, want 3–8", calls["AssumeRole"])
	}
	for _, r := range env.emu.CallLog() {
		if r.Code != "" {
			t.Fatalf("a call failed: %+v", r)
		}
	}
}

// Keys refused as expired are renewed once and the call repeated, even
// when the source believed them valid (a clock that is off).
func TestExpiredKeysAreRenewedOnceAndTheCallRepeated(t *testing.T) {
	env := newSTSEnv(t, emulator.Options{STS: emulator.STSOptions{TTL: time.Second}})
	var fetches atomic.Int32
	src := newRefreshingSource("assume_role", nil, func(ctx context.Context) (Credentials, error) {
		fetches.Add(1)
		c, err := env.sts.AssumeRole(ctx, env.base(), AssumeRoleInput{RoleARN: testRoleARN, SessionName: "tf"})
		c.Expiration = time.Now().Add(time.Hour) // the source does not know they expire
		return c, err
	})
	c := env.client(t, src)
	ctx := context.Background()
	if err := probe(ctx, c); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := probe(ctx, c); err != nil {
		t.Fatalf("the call after the keys expired: %v", err)
	}
	if n := fetches.Load(); n != 2 {
		t.Fatalf("fetched keys %d times, want 2", n)
	}
	var expired int
	for _, r := range env.emu.CallLog() {
		if r.Code == "InvalidSecurityToken.Expired" {
			expired++
		}
	}
	if expired != 1 {
		t.Fatalf("%d calls refused as expired, want exactly 1 (then renewed)", expired)
	}

	// A source that cannot renew (static STS keys) gives the error.
	static := env.client(t, StaticCredentials("STS.none", "x-secret", "tok"))
	if err := probe(ctx, static); err == nil {
		t.Fatal("unknown static keys were accepted")
	}
}

// Renewal happens once however many calls need it at the same moment.
func TestRefreshingSourceSharedUnderConcurrency(t *testing.T) {
	env := newSTSEnv(t, emulator.Options{STS: emulator.STSOptions{TTL: 2 * time.Second}})
	src := env.sts.AssumeRoleSource("assume_role", env.base(), AssumeRoleInput{RoleARN: testRoleARN, SessionName: "tf"})
	c := env.client(t, src)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				if err := probe(ctx, c); err != nil {
					errs <- err
				}
				time.Sleep(200 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// 3 s of calls with 2 s keys renewed at 1.5 s: about 3 renewals, never 20 at once.
	if n := env.emu.Calls()["AssumeRole"]; n < 2 || n > 6 {
		t.Fatalf("AssumeRole called %d times, want 2–6", n)
	}
}

func TestOIDCRoleSourceRereadsTheTokenFile(t *testing.T) {
	iss, err := emulator.NewTestIssuer("https://app.terraform.io")
	if err != nil {
		t.Fatal(err)
	}
	const provider = "acs:ram::1380000000000000:oidc-provider/tfc"
	env := newSTSEnv(t, emulator.Options{STS: emulator.STSOptions{TTL: time.Second,
		OIDCProviders: []emulator.OIDCProvider{iss.Provider(provider, "aliyun")}}})
	file := filepath.Join(t.TempDir(), "token")
	write := func(tok string) {
		if err := os.WriteFile(file, []byte(tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(iss.Token("workspace:a", "aliyun", time.Hour, nil))
	var reads atomic.Int32
	src := env.sts.OIDCRoleSource("assume_role_with_oidc", OIDCInput{ProviderARN: provider, RoleARN: testRoleARN, SessionName: "tfc"},
		func() (string, error) {
			reads.Add(1)
			b, err := os.ReadFile(file)
			return strings.TrimSpace(string(b)), err
		})
	c := env.client(t, src)
	ctx := context.Background()
	if err := probe(ctx, c); err != nil {
		t.Fatal(err)
	}
	// The token rotates; the expired one would be refused.
	write(iss.Token("workspace:a", "aliyun", time.Hour, nil))
	time.Sleep(1100 * time.Millisecond)
	if err := probe(ctx, c); err != nil {
		t.Fatal(err)
	}
	if reads.Load() < 2 {
		t.Fatalf("the token file was read %d times, want one per renewal", reads.Load())
	}
	// An untrusted token is refused, and the error names the source.
	other, _ := emulator.NewTestIssuer("https://evil.example")
	bad := env.sts.OIDCRoleSource("assume_role_with_oidc", OIDCInput{ProviderARN: provider, RoleARN: testRoleARN},
		func() (string, error) { return other.Token("x", "aliyun", time.Hour, nil), nil })
	_, err = bad.Retrieve(ctx)
	var ce *CredentialError
	if !errors.As(err, &ce) || ce.Source != "assume_role_with_oidc" || !strings.Contains(err.Error(), "AuthenticationFail.OIDCToken") {
		t.Fatalf("untrusted token: %v", err)
	}
}

func TestInstanceRoleSourceUsesIMDSv2(t *testing.T) {
	env := newSTSEnv(t, emulator.Options{STS: emulator.STSOptions{InstanceRole: "AgentRole", RequireIMDSv2: true}})
	src := InstanceRoleSource("ecs_role_name", MetadataConfig{Endpoint: env.url, RoleName: "AgentRole"})
	c := env.client(t, src)
	if err := probe(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	calls := env.emu.Calls()
	if calls["MetadataToken"] != 1 || calls["MetadataCredentials"] != 1 {
		t.Fatalf("calls %v", calls)
	}
	// No role name: the attached role is found.
	if _, err := InstanceRoleSource("ecs_role_name", MetadataConfig{Endpoint: env.url}).Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Another role: a clear error.
	_, err := InstanceRoleSource("ecs_role_name", MetadataConfig{Endpoint: env.url, RoleName: "Other"}).Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), `RAM role "Other"`) || !strings.Contains(err.Error(), "ecs_role_name") {
		t.Fatalf("unknown role: %v", err)
	}
}

// Chained: an instance role's keys assume another role.
func TestAssumeRoleOnInstanceRole(t *testing.T) {
	env := newSTSEnv(t, emulator.Options{STS: emulator.STSOptions{InstanceRole: "AgentRole"}})
	base := InstanceRoleSource("ecs_role_name", MetadataConfig{Endpoint: env.url, RoleName: "AgentRole"})
	src := env.sts.AssumeRoleSource("assume_role", base, AssumeRoleInput{RoleARN: testRoleARN, SessionName: "tf"})
	if err := probe(context.Background(), env.client(t, src)); err != nil {
		t.Fatal(err)
	}
	id, err := env.sts.GetCallerIdentity(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if id.IdentityType != "AssumedRoleUser" || !strings.Contains(id.Arn, ":assumed-role/deployer/tf") {
		t.Fatalf("identity %+v", id)
	}
}

func TestAssumeRoleErrorsAreClearAndRedacted(t *testing.T) {
	env := newSTSEnv(t, emulator.Options{
		Credentials: []emulator.Credential{{AccessKeyID: emulator.DefaultAccessKeyID, AccessKeySecret: emulator.DefaultAccessKeySecret},
			{AccessKeyID: "STS.base", AccessKeySecret: "sec-SECRET-1", SecurityToken: "tok-SECRET-123"}},
		STS: emulator.STSOptions{Roles: []emulator.STSRole{{ARN: testRoleARN, ExternalID: "right-id"}}}})
	ctx := context.Background()
	_, err := env.sts.AssumeRoleSource("assume_role", env.base(), AssumeRoleInput{RoleARN: testRoleARN, SessionName: "tf", ExternalID: "wrong-id"}).Retrieve(ctx)
	var ce *CredentialError
	if !errors.As(err, &ce) || ce.Source != "assume_role" || ErrorCode(err) != "NoPermission" ||
		!strings.HasPrefix(ce.Err.Error(), "STS AssumeRole failed: NoPermission") {
		t.Fatalf("wrong external id: %v", err)
	}
	// A dropped connection: the transport error names the endpoint and
	// quotes no signed request, so neither the token nor the secret.
	env.emu.AddFault(emulator.Fault{Action: "AssumeRole", ResetConnection: true})
	sts, _ := NewSTS(STSConfig{Endpoint: env.host, Scheme: "http", MaxRetries: 0})
	_, err = sts.AssumeRole(ctx, StaticCredentials("STS.base", "sec-SECRET-1", "tok-SECRET-123"),
		AssumeRoleInput{RoleARN: testRoleARN, SessionName: "tf", ExternalID: "right-id"})
	if err == nil || !IsTransient(err) {
		t.Fatalf("dropped connection: %v", err)
	}
	for _, s := range []string{"sec-SECRET-1", "tok-SECRET-123", "Signature="} {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("the error shows a secret: %v", err)
		}
	}
}

// Keys are renewed a quarter of their life (at most 3 minutes) before they
// expire; when renewal fails while the keys in hand are still valid, they
// are used; keys refused as expired never are.
func TestRefreshMarginAndFailedRenewal(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var fail atomic.Bool
	var n atomic.Int32
	src := newRefreshingSource("x", clk, func(context.Context) (Credentials, error) {
		if fail.Load() {
			return Credentials{}, errors.New("STS unreachable")
		}
		i := n.Add(1)
		return Credentials{AccessKeyID: fmt.Sprintf("k%d", i), AccessKeySecret: "s", SecurityToken: "t",
			Expiration: clk.Now().Add(20 * time.Minute)}, nil
	})
	ctx := tflogtest.RootLogger(context.Background(), &bytes.Buffer{})
	get := func() string {
		t.Helper()
		c, err := src.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c.AccessKeyID
	}
	if get() != "k1" {
		t.Fatal("first keys")
	}
	clk.Advance(16*time.Minute + 59*time.Second) // 3 min 1 s left: still fresh
	if get() != "k1" {
		t.Fatal("renewed too early")
	}
	clk.Advance(2 * time.Second) // 2 min 59 s left: renew
	if get() != "k2" {
		t.Fatal("not renewed within 3 minutes of expiry")
	}
	fail.Store(true)
	clk.Advance(18 * time.Minute) // 2 min left, renewal fails: keep k2
	if get() != "k2" {
		t.Fatal("valid keys dropped when renewal failed")
	}
	src.Expire("k2")
	if _, err := src.Retrieve(ctx); err == nil {
		t.Fatal("keys refused as expired were used again")
	}
	fail.Store(false)
	if get() != "k3" {
		t.Fatal("no renewal after the failure cleared")
	}
}
