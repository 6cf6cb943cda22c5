package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The emulator also serves STS (version 2015-04-01) on the same port:
// AssumeRole (signed), AssumeRoleWithOIDC (unsigned) and GetCallerIdentity
// (signed). The keys it issues are accepted by its ECS side until they
// expire, on the wall clock, and refused afterwards with
// InvalidSecurityToken.Expired. README.md, "STS and instance metadata",
// describes the rules.

const stsVersion = "2015-04-01"

// AccountID is the emulator's Alibaba Cloud account: its key belongs to a
// RAM user of it, and GetCallerIdentity reports it.
const AccountID = "1380000000000000"

// DefaultSTSTTL is the longest lifetime of the keys the emulator issues
// when STSOptions.TTL is zero: the service's default session length.
const DefaultSTSTTL = time.Hour

// STSOptions configure the emulator's STS and instance metadata service.
// The zero value lets the emulator's key assume any role
// acs:ram::<digits>:role/<name>, trusts no OIDC provider and attaches no
// RAM role to the instance the metadata service describes.
type STSOptions struct {
	// TTL caps the lifetime of every key the emulator issues (AssumeRole,
	// AssumeRoleWithOIDC, instance metadata), measured on the wall clock;
	// 0 = DefaultSTSTTL. A short TTL makes tests see keys expire.
	TTL time.Duration `json:"-"`
	// Roles configure particular roles (an ExternalId they require, a
	// refusal, their longest session). A role that is not listed may be
	// assumed by any key the emulator knows.
	Roles []STSRole `json:"roles,omitempty"`
	// OIDCProviders are the identity providers whose tokens
	// AssumeRoleWithOIDC accepts.
	OIDCProviders []OIDCProvider `json:"oidc_providers,omitempty"`
	// InstanceRole is the RAM role attached to the machine the metadata
	// service describes; "" = none.
	InstanceRole string `json:"instance_role,omitempty"`
	// RequireIMDSv2 refuses metadata reads that carry no session token.
	RequireIMDSv2 bool `json:"require_imdsv2,omitempty"`
	// STSOnlyKeys are configured access key ids that may call STS but not
	// ECS, which answers them 403 Forbidden.RAM: a RAM user whose policy
	// allows only sts:AssumeRole. Tests use it to prove that ECS calls are
	// signed with the assumed role's keys.
	STSOnlyKeys []string `json:"sts_only_keys,omitempty"`
}

// STSRole is one configured RAM role.
type STSRole struct {
	ARN string `json:"arn"`
	// ExternalID, when set, must be sent as AssumeRole's ExternalId.
	ExternalID string `json:"external_id,omitempty"`
	// Refuse answers every assumption of the role with this error:
	// "NoPermission" (the trust policy does not allow the caller) or
	// "EntityNotExist.Role" (the role does not exist).
	Refuse string `json:"refuse,omitempty"`
	// MaxSessionDuration is the role's longest session in seconds
	// (900–43200); 0 = 43200.
	MaxSessionDuration int `json:"max_session_duration,omitempty"`
}

// OIDCProvider is an identity provider registered in RAM.
type OIDCProvider struct {
	// ARN is acs:ram::<account>:oidc-provider/<name>.
	ARN string `json:"arn"`
	// Issuer must equal the token's iss claim.
	Issuer string `json:"issuer"`
	// ClientIDs are the accepted aud values.
	ClientIDs []string `json:"client_ids"`
	// PublicKeyPEM is the RSA public key (PEM, PKIX or PKCS #1) that
	// verifies the provider's RS256 tokens.
	PublicKeyPEM string `json:"public_key_pem"`
	// Subject, when set, is a pattern the token's sub claim must match
	// ("*" matches any run of characters), as a role's trust policy
	// condition on oidc:sub does.
	Subject string `json:"subject,omitempty"`
}

// issuedKey is one temporary key the emulator issued.
type issuedKey struct {
	cred       Credential
	expiration time.Time // wall clock
	roleARN    string
	account    string
	roleName   string
	session    string
}

// stsState holds the STS configuration and the keys issued so far. Issued
// keys live in memory only: a restarted emulator no longer knows them.
type stsState struct {
	mu        sync.Mutex
	opts      STSOptions
	roles     map[string]STSRole
	providers map[string]*oidcVerifier
	issued    map[string]*issuedKey
	imds      metadataTokens // IMDSv2 session tokens (their own lock)
	instance  *issuedKey     // the instance role's current key
}

func newSTSState(opts STSOptions) (*stsState, error) {
	s := &stsState{issued: map[string]*issuedKey{}}
	if err := s.configure(opts); err != nil {
		return nil, err
	}
	return s, nil
}

// configure validates opts and replaces the configuration. Keys issued
// earlier stay valid until they expire.
func (s *stsState) configure(opts STSOptions) error {
	if opts.TTL < 0 {
		return errors.New("emulator: the STS TTL must not be negative")
	}
	roles := map[string]STSRole{}
	for _, r := range opts.Roles {
		if _, _, ok := parseRoleARN(r.ARN); !ok {
			return fmt.Errorf("emulator: role %q is not an ARN of the form acs:ram::<account>:role/<name>", r.ARN)
		}
		switch r.Refuse {
		case "", "NoPermission", "EntityNotExist.Role":
		default:
			return fmt.Errorf("emulator: role %s: refuse must be NoPermission or EntityNotExist.Role, not %q", r.ARN, r.Refuse)
		}
		if r.MaxSessionDuration != 0 && (r.MaxSessionDuration < 900 || r.MaxSessionDuration > 43200) {
			return fmt.Errorf("emulator: role %s: max_session_duration must be 900–43200 seconds", r.ARN)
		}
		roles[r.ARN] = r
	}
	providers := map[string]*oidcVerifier{}
	for _, p := range opts.OIDCProviders {
		v, err := newOIDCVerifier(p)
		if err != nil {
			return err
		}
		providers[p.ARN] = v
	}
	if opts.InstanceRole != "" && !roleNamePattern.MatchString(opts.InstanceRole) {
		return fmt.Errorf("emulator: instance role %q is not a RAM role name", opts.InstanceRole)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if opts.InstanceRole != s.opts.InstanceRole {
		s.instance = nil
	}
	s.opts, s.roles, s.providers = opts, roles, providers
	return nil
}

func (s *stsState) options() STSOptions {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts
}

func (s *stsState) ttl() time.Duration {
	if s.opts.TTL > 0 {
		return s.opts.TTL
	}
	return DefaultSTSTTL
}

var (
	roleARNPattern         = regexp.MustCompile(`^acs:ram::(\d{1,32}):role/([A-Za-z0-9.@_-]{1,64})$`)
	oidcProviderARNPattern = regexp.MustCompile(`^acs:ram::\d{1,32}:oidc-provider/[A-Za-z0-9._-]{1,128}$`)
	roleNamePattern        = regexp.MustCompile(`^[A-Za-z0-9.@_-]{1,64}$`)
	sessionNamePattern     = regexp.MustCompile(`^[A-Za-z0-9_.@-]{2,64}$`)
)

func parseRoleARN(arn string) (account, name string, ok bool) {
	m := roleARNPattern.FindStringSubmatch(arn)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// issueLocked mints a temporary key for a role session.
func (s *stsState) issueLocked(account, roleName, session string, d time.Duration, now time.Time) *issuedKey {
	s.pruneLocked(now)
	if limit := s.ttl(); d > limit {
		d = limit
	}
	k := &issuedKey{
		cred: Credential{
			AccessKeyID:     "STS.NT" + randomToken(18),
			AccessKeySecret: randomToken(30),
			SecurityToken:   "CAIS" + randomToken(120),
		},
		// Expiration is given to the second, so the key expires at exactly
		// the time the answer states.
		expiration: now.Add(d).Truncate(time.Second),
		roleARN:    "acs:ram::" + account + ":role/" + roleName,
		account:    account,
		roleName:   roleName,
		session:    session,
	}
	s.issued[k.cred.AccessKeyID] = k
	return k
}

// pruneLocked forgets keys that expired more than a day ago; younger
// expired keys are still recognised, to answer InvalidSecurityToken.Expired.
func (s *stsState) pruneLocked(now time.Time) {
	for id, k := range s.issued {
		if now.Sub(k.expiration) > 24*time.Hour {
			delete(s.issued, id)
		}
	}
}

// lookup returns an issued key by access key id.
func (s *stsState) lookup(id string) (*issuedKey, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.issued[id]
	return k, ok
}

// randomToken returns n characters of URL-safe randomness.
func randomToken(n int) string {
	b := make([]byte, (n*3+3)/4)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// verifyRequest checks a signed request (ECS or STS) against the configured
// keys and the keys STS issued. An issued key is accepted until its
// expiration on the wall clock and refused afterwards with
// InvalidSecurityToken.Expired. For ECS (forECS), a key listed in
// STSOnlyKeys gets 403 Forbidden.RAM.
func (e *Emulator) verifyRequest(req *request, forECS bool) (verified, *apiError) {
	now := e.wallNow()
	creds := e.creds
	var temp *issuedKey
	if id := requestAccessKeyID(req); id != "" {
		if _, static := e.creds[id]; !static {
			if k, ok := e.sts.lookup(id); ok {
				temp = k
				creds = map[string]Credential{id: k.cred}
			}
		}
	}
	v, ae := verifySignature(req, creds, now)
	if ae != nil {
		return v, ae
	}
	if temp != nil && !now.Before(temp.expiration) {
		return verified{}, newErr(http.StatusBadRequest, "InvalidSecurityToken.Expired",
			"Specified SecurityToken is expired.")
	}
	if forECS && temp == nil && e.sts.stsOnly(v.AccessKeyID) {
		return verified{}, newErr(http.StatusForbidden, "Forbidden.RAM",
			"User not authorized to operate on the specified resource, or this API doesn't support RAM.")
	}
	return v, nil
}

func (s *stsState) stsOnly(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.opts.STSOnlyKeys {
		if k == id {
			return true
		}
	}
	return false
}

// IssuedCredentials returns every temporary key STS and the metadata
// service issued that is still remembered (tests look for their secrets
// where they must not be).
func (e *Emulator) IssuedCredentials() []Credential {
	e.sts.mu.Lock()
	defer e.sts.mu.Unlock()
	out := make([]Credential, 0, len(e.sts.issued))
	for _, k := range e.sts.issued {
		out = append(out, k.cred)
	}
	return out
}

// requestAccessKeyID is the access key id a request claims (v1 or v3).
func requestAccessKeyID(req *request) string {
	if req.v3 {
		a, ok := parseV3Auth(req.header.Get("Authorization"))
		if !ok {
			return ""
		}
		return a.AccessKeyID
	}
	return req.params["AccessKeyId"]
}

// stsActions are the STS actions; every one answers JSON or XML like ECS.
var stsActions = map[string]func(e *Emulator, req *request) (map[string]any, *apiError){
	"AssumeRole":         (*Emulator).assumeRole,
	"AssumeRoleWithOIDC": (*Emulator).assumeRoleWithOIDC,
	"GetCallerIdentity":  (*Emulator).getCallerIdentity,
}

// handleSTS serves one STS request (Version 2015-04-01): the signature and
// the nonce of the signed actions first (a request that fails them is
// neither counted nor logged), then the faults, then the action.
func (e *Emulator) handleSTS(r *http.Request, w http.ResponseWriter, req *request, _ string) (res map[string]any, ae *apiError) {
	h, ok := stsActions[req.action]
	if !ok {
		return nil, newErr(http.StatusNotFound, "InvalidAction.NotFound",
			"Specified api is not found, please check your url and method")
	}
	if req.action != "AssumeRoleWithOIDC" {
		v, sigErr := e.verifyRequest(req, false)
		if sigErr != nil {
			return nil, sigErr
		}
		if !e.nonces.use(v.AccessKeyID+"\n"+v.Nonce, time.Now()) {
			return nil, newErr(http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already.")
		}
	}
	e.countCall(req.action)
	rec := CallRecord{Action: req.action, At: e.Now()}
	defer func() {
		if ae != nil {
			rec.Code = ae.Code
		}
		e.logCall(rec)
	}()
	eff := e.fireFaults(req.action)
	if eff.delay > 0 {
		select {
		case <-time.After(eff.delay):
		case <-r.Context().Done():
			return nil, errConnectionReset
		}
	}
	if eff.reset {
		resetConnection(w)
		return nil, errConnectionReset
	}
	if eff.err != nil {
		return nil, eff.err
	}
	res, ae = h(e, req)
	if eff.loseResponse {
		resetConnection(w)
		return nil, errConnectionReset
	}
	return res, ae
}

// stsDuration reads DurationSeconds: 3600 by default, 900 up to the role's
// longest session.
func stsDuration(p params, maxSession int) (time.Duration, *apiError) {
	if maxSession == 0 {
		maxSession = 43200
	}
	raw := p.str("DurationSeconds")
	if raw == "" {
		return time.Hour, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 900 || n > maxSession {
		return 0, newErr(http.StatusBadRequest, "InvalidParameter.DurationSeconds",
			"The parameter DurationSeconds must be between 900 and %d seconds (the role's MaxSessionDuration).", maxSession)
	}
	return time.Duration(n) * time.Second, nil
}

// stsCommon checks what AssumeRole and AssumeRoleWithOIDC share: the role,
// the session name, the duration and the policy.
func (e *Emulator) stsCommon(p params, sessionRequired bool) (role STSRole, account, name, session string, d time.Duration, ae *apiError) {
	arn := p.str("RoleArn")
	if arn == "" {
		return role, "", "", "", 0, errMissing("RoleArn")
	}
	account, name, ok := parseRoleARN(arn)
	if !ok {
		return role, "", "", "", 0, newErr(http.StatusBadRequest, "InvalidParameter.RoleArn",
			"The parameter RoleArn is wrongly formed.")
	}
	session = p.str("RoleSessionName")
	if session == "" && sessionRequired {
		return role, "", "", "", 0, errMissing("RoleSessionName")
	}
	if session == "" {
		session = "oidc-session"
	}
	if !sessionNamePattern.MatchString(session) {
		return role, "", "", "", 0, newErr(http.StatusBadRequest, "InvalidParameter.RoleSessionName",
			"The parameter RoleSessionName is wrongly formed.")
	}
	if pol := p.str("Policy"); pol != "" {
		if len(pol) > 2048 {
			return role, "", "", "", 0, newErr(http.StatusBadRequest, "InvalidParameter.PolicySize",
				"The size of Policy must be smaller than 2048 bytes.")
		}
		if !json.Valid([]byte(pol)) {
			return role, "", "", "", 0, newErr(http.StatusBadRequest, "InvalidParameter.PolicyGrammar",
				"The parameter Policy has not passed grammar check.")
		}
	}
	e.sts.mu.Lock()
	role, configured := e.sts.roles[arn]
	e.sts.mu.Unlock()
	if !configured {
		role = STSRole{ARN: arn}
	}
	switch role.Refuse {
	case "NoPermission":
		return role, "", "", "", 0, errNoPermission()
	case "EntityNotExist.Role":
		return role, "", "", "", 0, newErr(http.StatusNotFound, "EntityNotExist.Role", "The specified Role not exists.")
	}
	d, ae = stsDuration(p, role.MaxSessionDuration)
	return role, account, name, session, d, ae
}

func errNoPermission() *apiError {
	return newErr(http.StatusForbidden, "NoPermission",
		"You are not authorized to do this action. You should be authorized by RAM.")
}

func (e *Emulator) assumeRole(req *request) (map[string]any, *apiError) {
	p := params(req.params)
	role, account, name, session, d, ae := e.stsCommon(p, true)
	if ae != nil {
		return nil, ae
	}
	ext := p.str("ExternalId")
	if ext != "" && (len(ext) < 2 || len(ext) > 1224) {
		return nil, newErr(http.StatusBadRequest, "InvalidParameter.ExternalId",
			"The parameter ExternalId must be 2 to 1224 characters long.")
	}
	// A role whose trust policy names an external id refuses a caller that
	// sends another one, or none, exactly as it refuses an untrusted caller.
	if role.ExternalID != "" && !equalStrings(role.ExternalID, ext) {
		return nil, errNoPermission()
	}
	e.sts.mu.Lock()
	k := e.sts.issueLocked(account, name, session, d, e.wallNow())
	e.sts.mu.Unlock()
	return stsAnswer(k), nil
}

func stsAnswer(k *issuedKey) map[string]any {
	return map[string]any{
		"AssumedRoleUser": map[string]any{
			"Arn":           k.roleARN + "/" + k.session,
			"AssumedRoleId": roleID(k.roleARN) + ":" + k.session,
		},
		"Credentials": map[string]any{
			"AccessKeyId":     k.cred.AccessKeyID,
			"AccessKeySecret": k.cred.AccessKeySecret,
			"SecurityToken":   k.cred.SecurityToken,
			"Expiration":      k.expiration.UTC().Format(timestampLayout),
		},
	}
}

// roleID is a stable numeric id for a role ARN.
func roleID(arn string) string {
	return strconv.FormatUint(stableHash(arn)%1e18+1e18, 10)[:19]
}

// stableHash is FNV-1a, so ids are the same on every run.
func stableHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func (e *Emulator) assumeRoleWithOIDC(req *request) (map[string]any, *apiError) {
	p := params(req.params)
	providerARN := p.str("OIDCProviderArn")
	if providerARN == "" {
		return nil, errMissing("OIDCProviderArn")
	}
	if !oidcProviderARNPattern.MatchString(providerARN) {
		return nil, newErr(http.StatusBadRequest, "InvalidParameter.OIDCProviderArn",
			"The parameter OIDCProviderArn is wrongly formed.")
	}
	token := p.str("OIDCToken")
	if token == "" {
		return nil, errMissing("OIDCToken")
	}
	if len(token) < 4 || len(token) > 20000 {
		return nil, newErr(http.StatusBadRequest, "InvalidParameter.OIDCToken", "The parameter OIDCToken is wrongly formed.")
	}
	_, account, name, session, d, ae := e.stsCommon(p, false)
	if ae != nil {
		return nil, ae
	}
	e.sts.mu.Lock()
	v := e.sts.providers[providerARN]
	e.sts.mu.Unlock()
	if v == nil {
		return nil, newErr(http.StatusUnauthorized, "AuthenticationFail.NoPermission", "No such OIDC Provider registered.")
	}
	now := e.wallNow()
	claims, ae := v.verify(token, now)
	if ae != nil {
		return nil, ae
	}
	e.sts.mu.Lock()
	k := e.sts.issueLocked(account, name, session, d, now)
	e.sts.mu.Unlock()
	res := stsAnswer(k)
	res["OIDCTokenInfo"] = map[string]any{
		"Subject":          claims.Subject,
		"Issuer":           claims.Issuer,
		"ClientIds":        strings.Join(claims.Audience, ","),
		"IssuanceTime":     time.Unix(claims.IssuedAt, 0).UTC().Format(timestampLayout),
		"ExpirationTime":   time.Unix(claims.Expiry, 0).UTC().Format(timestampLayout),
		"VerificationInfo": "Success",
	}
	return res, nil
}

func (e *Emulator) getCallerIdentity(req *request) (map[string]any, *apiError) {
	id := requestAccessKeyID(req)
	if k, ok := e.sts.lookup(id); ok {
		rid := roleID(k.roleARN)
		return map[string]any{
			"IdentityType": "AssumedRoleUser",
			"AccountId":    k.account,
			"PrincipalId":  rid + ":" + k.session,
			"RoleId":       rid,
			"Arn":          "acs:ram::" + k.account + ":assumed-role/" + k.roleName + "/" + k.session,
		}, nil
	}
	uid := strconv.FormatUint(stableHash(id)%1e16+2e16, 10)
	return map[string]any{
		"IdentityType": "RAMUser",
		"AccountId":    AccountID,
		"PrincipalId":  uid,
		"UserId":       uid,
		"Arn":          "acs:ram::" + AccountID + ":user/" + id,
	}, nil
}
