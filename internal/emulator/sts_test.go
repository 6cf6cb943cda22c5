package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
)

const testRole = "acs:ram::1380000000000000:role/deployer"

// stsClient is the SDK's own STS client, signed with key/secret (and token).
func (f *fixture) stsClient(key, secret, token string) *sts.Client {
	f.t.Helper()
	var c *sts.Client
	var err error
	if token != "" {
		c, err = sts.NewClientWithStsToken(testRegion, key, secret, token)
	} else {
		c, err = sts.NewClientWithAccessKey(testRegion, key, secret)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	c.Domain = f.host()
	return c
}

func (f *fixture) assume(role, session, externalID string, secs int) (*sts.AssumeRoleResponse, error) {
	req := sts.CreateAssumeRoleRequest()
	req.Scheme = "HTTP"
	req.RoleArn = role
	req.RoleSessionName = session
	req.ExternalId = externalID
	if secs > 0 {
		req.DurationSeconds = requests.NewInteger(secs)
	}
	return f.stsClient(DefaultAccessKeyID, DefaultAccessKeySecret, "").AssumeRole(req)
}

// ecsWithSTS is an ECS client signed with temporary keys.
func (f *fixture) ecsWithSTS(c sts.Credentials) *ecs.Client {
	f.t.Helper()
	cl, err := ecs.NewClientWithStsToken(testRegion, c.AccessKeyId, c.AccessKeySecret, c.SecurityToken)
	if err != nil {
		f.t.Fatal(err)
	}
	cl.Domain = f.host()
	return cl
}

func callRegions(c *ecs.Client) error {
	_, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	return err
}

func TestSTSAssumeRoleKeysWorkUntilTheyExpire(t *testing.T) {
	f := newFixture(t, Options{STS: STSOptions{TTL: 2 * time.Second}})
	resp, err := f.assume(testRole, "tf-run", "", 0)
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	c := resp.Credentials
	if !strings.HasPrefix(c.AccessKeyId, "STS.") || c.AccessKeySecret == "" || c.SecurityToken == "" {
		t.Fatalf("credentials %+v", c)
	}
	if resp.AssumedRoleUser.Arn != testRole+"/tf-run" {
		t.Fatalf("assumed role user %+v", resp.AssumedRoleUser)
	}
	exp, err := time.Parse(timestampLayout, c.Expiration)
	if err != nil {
		t.Fatalf("Expiration %q: %v", c.Expiration, err)
	}
	if d := time.Until(exp); d > 2*time.Second || d < 0 {
		t.Fatalf("expiration %s is not within the 2 s TTL", c.Expiration)
	}
	if err := callRegions(f.ecsWithSTS(c)); err != nil {
		t.Fatalf("ECS refuses a fresh temporary key: %v", err)
	}
	// A key that may only call STS is refused by ECS, not by STS.
	if err := f.e.ConfigureSTS(STSOptions{TTL: 2 * time.Second, STSOnlyKeys: []string{DefaultAccessKeyID}}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, callRegions(f.client()), 403, "Forbidden.RAM")
	if _, err := f.assume(testRole, "again", "", 0); err != nil {
		t.Fatalf("an STS-only key cannot assume a role: %v", err)
	}
	// Moving the emulator clock does not expire keys: they live on the wall clock.
	f.e.AdvanceClock(24 * time.Hour)
	if err := callRegions(f.ecsWithSTS(c)); err != nil {
		t.Fatalf("ECS refuses a temporary key after the emulator clock moved: %v", err)
	}
	// A wrong token for the key.
	bad := c
	bad.SecurityToken = "CAISwrong"
	wantCode(t, callRegions(f.ecsWithSTS(bad)), 400, "InvalidSecurityToken.MismatchWithAccessKey")

	time.Sleep(time.Until(exp) + 50*time.Millisecond)
	wantCode(t, callRegions(f.ecsWithSTS(c)), 400, "InvalidSecurityToken.Expired")

	calls := f.e.Calls()
	if calls["AssumeRole"] != 2 || calls["DescribeRegions"] != 5 || len(f.e.IssuedCredentials()) != 2 {
		t.Fatalf("calls %v", calls)
	}
}

func TestSTSGetCallerIdentity(t *testing.T) {
	f := newFixture(t, Options{})
	resp, err := f.stsClient(DefaultAccessKeyID, DefaultAccessKeySecret, "").
		GetCallerIdentity(withHTTP(sts.CreateGetCallerIdentityRequest()))
	if err != nil {
		t.Fatal(err)
	}
	if resp.IdentityType != "RAMUser" || resp.AccountId != AccountID || resp.Arn != "acs:ram::"+AccountID+":user/emulator" {
		t.Fatalf("identity %+v", resp)
	}
	ar, err := f.assume(testRole, "who-am-i", "", 900)
	if err != nil {
		t.Fatal(err)
	}
	c := ar.Credentials
	resp, err = f.stsClient(c.AccessKeyId, c.AccessKeySecret, c.SecurityToken).
		GetCallerIdentity(withHTTP(sts.CreateGetCallerIdentityRequest()))
	if err != nil {
		t.Fatal(err)
	}
	if resp.IdentityType != "AssumedRoleUser" || resp.Arn != "acs:ram::1380000000000000:assumed-role/deployer/who-am-i" || resp.RoleId == "" {
		t.Fatalf("identity %+v", resp)
	}
	// Role chaining: temporary keys may assume another role.
	req := sts.CreateAssumeRoleRequest()
	req.Scheme = "HTTP"
	req.RoleArn = "acs:ram::2222:role/target"
	req.RoleSessionName = "chained"
	if _, err := f.stsClient(c.AccessKeyId, c.AccessKeySecret, c.SecurityToken).AssumeRole(req); err != nil {
		t.Fatalf("chained AssumeRole: %v", err)
	}
}

func withHTTP(r *sts.GetCallerIdentityRequest) *sts.GetCallerIdentityRequest {
	r.Scheme = "HTTP"
	return r
}

func TestSTSAssumeRoleRules(t *testing.T) {
	f := newFixture(t, Options{STS: STSOptions{Roles: []STSRole{
		{ARN: "acs:ram::1380000000000000:role/external", ExternalID: "abc-123"},
		{ARN: "acs:ram::1380000000000000:role/denied", Refuse: "NoPermission"},
		{ARN: "acs:ram::1380000000000000:role/gone", Refuse: "EntityNotExist.Role"},
		{ARN: "acs:ram::1380000000000000:role/short", MaxSessionDuration: 3600},
	}}})
	cases := []struct {
		name, role, session, ext string
		secs                     int
		status                   int
		code                     string
	}{
		{"external id right", "acs:ram::1380000000000000:role/external", "s1", "abc-123", 0, 200, ""},
		{"external id wrong", "acs:ram::1380000000000000:role/external", "s1", "abc-999", 0, 403, "NoPermission"},
		{"external id missing", "acs:ram::1380000000000000:role/external", "s1", "", 0, 403, "NoPermission"},
		{"refused", "acs:ram::1380000000000000:role/denied", "s1", "", 0, 403, "NoPermission"},
		{"missing role", "acs:ram::1380000000000000:role/gone", "s1", "", 0, 404, "EntityNotExist.Role"},
		{"bad arn", "arn:aws:iam::1:role/x", "s1", "", 0, 400, "InvalidParameter.RoleArn"},
		{"bad session", testRole, "a b", "", 0, 400, "InvalidParameter.RoleSessionName"},
		{"short duration", testRole, "s1", "", 899, 400, "InvalidParameter.DurationSeconds"},
		{"longest duration", testRole, "s1", "", 43200, 200, ""},
		{"beyond role max", "acs:ram::1380000000000000:role/short", "s1", "", 7200, 400, "InvalidParameter.DurationSeconds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.assume(tc.role, tc.session, tc.ext, tc.secs)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tc.status, tc.code)
		})
	}
	// A bad signature on AssumeRole is refused like any signed call.
	status, body := f.raw(rawReq{params: map[string]string{"Version": stsVersion, "Action": "AssumeRole",
		"RoleArn": testRole, "RoleSessionName": "x1"}, badSig: true})
	if status != 400 || body["Code"] != "SignatureDoesNotMatch" {
		t.Fatalf("bad signature: %d %v", status, body)
	}
}

// oidcCall sends AssumeRoleWithOIDC the way the SDK's credential providers
// do: no key, no signature, the token in the form body.
func oidcCall(t *testing.T, base string, form map[string]string) (int, map[string]any) {
	t.Helper()
	q := url.Values{"Action": {"AssumeRoleWithOIDC"}, "Format": {"JSON"}, "Version": {stsVersion},
		"Timestamp": {time.Now().UTC().Format(timestampLayout)}}
	body := url.Values{}
	for k, v := range form {
		body.Set(k, v)
	}
	resp, err := http.Post(base+"/?"+q.Encode(), "application/x-www-form-urlencoded", strings.NewReader(body.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON (%d): %s", resp.StatusCode, b)
	}
	return resp.StatusCode, m
}

func TestSTSAssumeRoleWithOIDC(t *testing.T) {
	iss, err := NewTestIssuer("https://app.terraform.io")
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewTestIssuer("https://app.terraform.io")
	if err != nil {
		t.Fatal(err)
	}
	const providerARN = "acs:ram::1380000000000000:oidc-provider/tfc"
	p := iss.Provider(providerARN, "aliyun")
	p.Subject = "organization:acme:project:*:workspace:ecs:run_phase:*"
	f := newFixture(t, Options{STS: STSOptions{OIDCProviders: []OIDCProvider{p}}})
	sub := "organization:acme:project:Default Project:workspace:ecs:run_phase:apply"
	good := iss.Token(sub, "aliyun", time.Hour, nil)
	form := func(token, provider string) map[string]string {
		return map[string]string{"OIDCProviderArn": provider, "RoleArn": testRole, "OIDCToken": token,
			"RoleSessionName": "tfc-run", "DurationSeconds": "900"}
	}
	status, m := oidcCall(t, f.srv.URL, form(good, providerARN))
	if status != 200 {
		t.Fatalf("good token: %d %v", status, m)
	}
	cr := m["Credentials"].(map[string]any)
	info := m["OIDCTokenInfo"].(map[string]any)
	if info["Subject"] != sub || info["Issuer"] != "https://app.terraform.io" || info["ClientIds"] != "aliyun" {
		t.Fatalf("OIDCTokenInfo %v", info)
	}
	c := sts.Credentials{AccessKeyId: cr["AccessKeyId"].(string), AccessKeySecret: cr["AccessKeySecret"].(string),
		SecurityToken: cr["SecurityToken"].(string)}
	if err := callRegions(f.ecsWithSTS(c)); err != nil {
		t.Fatalf("ECS refuses the OIDC role's key: %v", err)
	}

	for _, tc := range []struct {
		name, token, provider string
		status                int
		code                  string
	}{
		{"unknown provider", good, "acs:ram::1380000000000000:oidc-provider/nope", 401, "AuthenticationFail.NoPermission"},
		{"other key", other.Token(sub, "aliyun", time.Hour, nil), providerARN, 401, "AuthenticationFail.OIDCToken.InvalidSignature"},
		{"expired", iss.Token(sub, "aliyun", -time.Minute, nil), providerARN, 401, "AuthenticationFail.OIDCToken.Expired"},
		{"audience", iss.Token(sub, "sts.aliyuncs.com", time.Hour, nil), providerARN, 401, "AuthenticationFail.OIDCToken.AudienceNotMatch"},
		{"subject", iss.Token("organization:evil:project:x:workspace:ecs:run_phase:apply", "aliyun", time.Hour, nil), providerARN, 403, "NoPermission"},
		{"garbage", "not.a.jwt", providerARN, 401, "AuthenticationFail.OIDCToken.Invalid"},
		{"no token", "", providerARN, 400, "MissingParameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m := oidcCall(t, f.srv.URL, form(tc.token, tc.provider))
			if status != tc.status || m["Code"] != tc.code {
				t.Fatalf("got %d %v, want %d %s", status, m["Code"], tc.status, tc.code)
			}
		})
	}
	if n := f.e.Calls()["AssumeRoleWithOIDC"]; n != 8 {
		t.Fatalf("AssumeRoleWithOIDC counted %d times, want 8", n)
	}
}

func metadataGet(t *testing.T, base, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	if token != "" {
		req.Header.Set(metadataTokenHeader, token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func metadataToken(t *testing.T, base, ttl string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, base+metadataTokenPath, nil)
	if ttl != "" {
		req.Header.Set(metadataTTLHeader, ttl)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMetadataInstanceRole(t *testing.T) {
	f := newFixture(t, Options{STS: STSOptions{InstanceRole: "EcsAgentRole", RequireIMDSv2: true}})
	base := f.srv.URL
	if status, _ := metadataToken(t, base, ""); status != 400 {
		t.Fatalf("token without a TTL: %d", status)
	}
	if status, _ := metadataToken(t, base, "21601"); status != 400 {
		t.Fatalf("token TTL beyond 21600: %d", status)
	}
	status, tok := metadataToken(t, base, "21600")
	if status != 200 || tok == "" {
		t.Fatalf("token: %d %q", status, tok)
	}
	if status, _ := metadataGet(t, base, metadataRolesPath+"EcsAgentRole", ""); status != 401 {
		t.Fatalf("IMDSv2 required, no token: %d", status)
	}
	if status, _ := metadataGet(t, base, metadataRolesPath+"EcsAgentRole", "forged"); status != 401 {
		t.Fatalf("forged token: %d", status)
	}
	if status, body := metadataGet(t, base, metadataRolesPath, tok); status != 200 || body != "EcsAgentRole" {
		t.Fatalf("role list: %d %q", status, body)
	}
	if status, _ := metadataGet(t, base, metadataRolesPath+"Other", tok); status != 404 {
		t.Fatalf("another role: %d", status)
	}
	status, body := metadataGet(t, base, metadataRolesPath+"EcsAgentRole", tok)
	if status != 200 {
		t.Fatalf("credentials: %d %s", status, body)
	}
	var cr struct{ AccessKeyId, AccessKeySecret, SecurityToken, Expiration, LastUpdated, Code string }
	if err := json.Unmarshal([]byte(body), &cr); err != nil || cr.Code != "Success" || cr.Expiration == "" {
		t.Fatalf("credentials %s (%v)", body, err)
	}
	if err := callRegions(f.ecsWithSTS(sts.Credentials{AccessKeyId: cr.AccessKeyId,
		AccessKeySecret: cr.AccessKeySecret, SecurityToken: cr.SecurityToken})); err != nil {
		t.Fatalf("ECS refuses the instance role's key: %v", err)
	}
	// The same key until half its life is gone.
	_, again := metadataGet(t, base, metadataRolesPath+"EcsAgentRole", tok)
	if !strings.Contains(again, cr.AccessKeyId) {
		t.Fatal("the metadata service changed the key at once")
	}
	if c := f.e.Calls(); c["MetadataToken"] != 3 || c["MetadataCredentials"] != 6 {
		t.Fatalf("calls %v", c)
	}
}

func TestMetadataWithoutRoleAndIMDSv1(t *testing.T) {
	f := newFixture(t, Options{})
	if status, _ := metadataGet(t, f.srv.URL, metadataRolesPath, ""); status != 404 {
		t.Fatalf("no role attached: %d", status)
	}
	if err := f.e.ConfigureSTS(STSOptions{InstanceRole: "R1"}); err != nil {
		t.Fatal(err)
	}
	// IMDSv1 (no token) is allowed unless RequireIMDSv2.
	if status, body := metadataGet(t, f.srv.URL, metadataRolesPath+"R1", ""); status != 200 || !strings.Contains(body, "Success") {
		t.Fatalf("IMDSv1: %d %s", status, body)
	}
	if status, _ := metadataGet(t, f.srv.URL, "/latest/meta-data/instance-id", ""); status != 404 {
		t.Fatalf("unserved path: %d", status)
	}
}

func TestAdminSTS(t *testing.T) {
	f := newFixture(t, Options{})
	status, body := f.admin(http.MethodPost, "sts", `{"ttl":"5s","roles":[{"arn":"acs:ram::1:role/x","external_id":"e1"}],"instance_role":"R"}`)
	if status != 200 {
		t.Fatalf("POST sts: %d %s", status, body)
	}
	o := f.e.STSOptions()
	if o.TTL != 5*time.Second || len(o.Roles) != 1 || o.InstanceRole != "R" {
		t.Fatalf("options %+v", o)
	}
	// Absent fields keep their value.
	if status, body := f.admin(http.MethodPost, "sts", `{"require_imdsv2":true}`); status != 200 {
		t.Fatalf("POST sts: %d %s", status, body)
	}
	if o := f.e.STSOptions(); !o.RequireIMDSv2 || o.InstanceRole != "R" || o.TTL != 5*time.Second {
		t.Fatalf("options %+v", o)
	}
	for _, bad := range []string{`{"ttl":"-1s"}`, `{"roles":[{"arn":"nope"}]}`, `{"roles":[{"arn":"acs:ram::1:role/x","refuse":"Maybe"}]}`,
		`{"oidc_providers":[{"arn":"acs:ram::1:oidc-provider/p","issuer":"i","client_ids":["a"],"public_key_pem":"x"}]}`, `{"unknown":1}`} {
		if status, body := f.admin(http.MethodPost, "sts", bad); status != 400 {
			t.Errorf("POST %s: %d %s, want 400", bad, status, body)
		}
	}
	status, body = f.admin(http.MethodGet, "sts", "")
	if status != 200 || !strings.Contains(string(body), `"ttl": "5s"`) {
		t.Fatalf("GET sts: %d %s", status, body)
	}
}

func TestCommandSTSFlags(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sts.json")
	if err := os.WriteFile(cfg, []byte(`{"roles":[{"arn":"acs:ram::1380000000000000:role/ext","external_id":"x-1"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	base, _, stop := startCommand(t, "--listen", "127.0.0.1:0", "--quiet", "--sts-ttl", "90s",
		"--sts-config", cfg, "--instance-role", "AgentRole")
	defer stop()
	resp, err := http.Get(base + "/_emulator/sts")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`"ttl": "1m30s"`, `"external_id": "x-1"`, `"instance_role": "AgentRole"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("GET /_emulator/sts lacks %s:\n%s", want, b)
		}
	}
}

// Under --allow-remote the metadata service hands out working STS keys, so
// it needs the admin token like the admin API (token PUT included); the
// client's address is never trusted (behind a proxy everyone looks local).
func TestSecurityMetadataNeedsAdminTokenUnderAllowRemote(t *testing.T) {
	const admin = "adm-7c1e"
	f := newFixture(t, Options{AllowRemote: true, AdminToken: admin,
		Credentials: []Credential{{AccessKeyID: DefaultAccessKeyID, AccessKeySecret: "own-secret-3b9d"}},
		STS:         STSOptions{InstanceRole: "R"}})
	do := func(method, path, bearer string, hdr map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, f.srv.URL+path, nil)
		req.Host = "attacker.example:8085"
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	ttl := map[string]string{metadataTTLHeader: "21600"}
	if status, body := do(http.MethodGet, metadataRolesPath+"R", "", nil); status != http.StatusUnauthorized {
		t.Errorf("credentials without the admin token: %d %s", status, body)
	}
	if status, body := do(http.MethodGet, metadataRolesPath+"R", "wrong", nil); status != http.StatusUnauthorized {
		t.Errorf("credentials with a wrong token: %d %s", status, body)
	}
	if status, body := do(http.MethodPut, metadataTokenPath, "", ttl); status != http.StatusUnauthorized {
		t.Errorf("token PUT without the admin token: %d %s", status, body)
	}
	status, tok := do(http.MethodPut, metadataTokenPath, admin, ttl)
	if status != http.StatusOK {
		t.Fatalf("token PUT with the admin token: %d %s", status, tok)
	}
	// A session token alone is not enough either.
	if status, body := do(http.MethodGet, metadataRolesPath+"R", "", map[string]string{metadataTokenHeader: tok}); status != http.StatusUnauthorized {
		t.Errorf("credentials with a session token and no admin token: %d %s", status, body)
	}
	if status, body := do(http.MethodGet, metadataRolesPath+"R", admin, nil); status != http.StatusOK || !strings.Contains(body, "Success") {
		t.Errorf("credentials with the admin token: %d %s", status, body)
	}
	w := exposureWarning("0.0.0.0:8085")
	for _, want := range []string{"STS", "metadata", "admin token"} {
		if !strings.Contains(w, want) {
			t.Errorf("the exposure warning does not name %q: %s", want, w)
		}
	}
}
