package ecsapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

// Credentials are the keys one request is signed with.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string    // "" for a plain access key
	Expiration      time.Time // zero: the keys do not expire
}

// CredentialSource is where a Client gets the keys it signs with. It is the
// SDK's credentials.CredentialsProvider (so a source also works with any SDK
// client) plus Retrieve, which takes a context.
//
// The sources of this package are safe for concurrent use; the refreshing
// ones (AssumeRoleSource, OIDCRoleSource, InstanceRoleSource) are meant to
// be shared by every resource of a provider: they renew at most one at a
// time, before the keys expire.
//
// github.com/aliyun/credentials-go has providers for the same sources
// (RAMRoleARN, OIDC, ECSRAMRole), kept out of these on purpose: they take no
// context, run on the wall clock where tests inject one, follow redirects
// (a plain http.Client), retry no throttling, and do not go through this
// package's redaction and error classification. The token-in-a-variable
// path (TFC_WORKLOAD_IDENTITY_TOKEN) stays this package's for the same
// reasons. CloudSSO, whose protocol only the library knows, is the
// library's (CloudSSOSource).
type CredentialSource interface {
	credentials.CredentialsProvider
	// Retrieve returns keys that are valid now and, for expiring ones, for
	// a while yet (see refreshMargin).
	Retrieve(ctx context.Context) (Credentials, error)
}

// codeTokenExpired is the service's answer to keys whose token expired.
const codeTokenExpired = "InvalidSecurityToken.Expired"

// renewable is a CredentialSource that can be told its keys were refused
// as expired: the next Retrieve then renews them.
type renewable interface {
	Expire(accessKeyID string)
}

// CredentialError is a failure to obtain credentials from a source. Source
// is the label the source was made with (for the provider, the attribute
// that configured it, such as "assume_role").
type CredentialError struct {
	Source string
	Err    error
}

func (e *CredentialError) Error() string {
	return fmt.Sprintf("cannot get credentials from %s: %v", e.Source, e.Err)
}

func (e *CredentialError) Unwrap() error { return e.Err }

// credentialError wraps err for source unless it already names a source
// (the base of a chain failed: that one is the error to report).
func credentialError(source string, err error) error {
	var ce *CredentialError
	if errors.As(err, &ce) {
		return err
	}
	return &CredentialError{Source: source, Err: err}
}

// StaticCredentials is a source of fixed keys (an access key, or STS keys
// with their token, which then expire when the token does).
func StaticCredentials(accessKeyID, accessKeySecret, securityToken string) CredentialSource {
	return staticSource{c: Credentials{AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret, SecurityToken: securityToken}}
}

type staticSource struct{ c Credentials }

func (s staticSource) Retrieve(context.Context) (Credentials, error) { return s.c, nil }
func (s staticSource) GetCredentials() (*credentials.Credentials, error) {
	return sdkCredentials(s.c, s.GetProviderName()), nil
}
func (s staticSource) GetProviderName() string { return "static" }

func sdkCredentials(c Credentials, name string) *credentials.Credentials {
	return &credentials.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret,
		SecurityToken: c.SecurityToken, ProviderName: name}
}

// sdkProvider is the SDK's static provider for one attempt's keys.
func sdkProvider(c Credentials) credentials.CredentialsProvider {
	if c.SecurityToken != "" {
		return credentials.NewStaticSTSCredentialsProvider(c.AccessKeyID, c.AccessKeySecret, c.SecurityToken)
	}
	return credentials.NewStaticAKCredentialsProvider(c.AccessKeyID, c.AccessKeySecret)
}

// maxRefreshMargin is how long before their expiration keys are renewed:
// the SDK's 180 s, or a quarter of the keys' life when that is shorter.
const maxRefreshMargin = 3 * time.Minute

// getCredentialsTimeout bounds GetCredentials, which has no context.
const getCredentialsTimeout = time.Minute

// refreshingSource caches the keys fetch returns and renews them before they
// expire. One renewal runs at a time; callers that need keys meanwhile wait
// for it (or for their context).
type refreshingSource struct {
	label string
	fetch func(ctx context.Context) (Credentials, error)
	clock clock.Clock

	renew chan struct{} // a one-slot semaphore: held while renewing

	mu    sync.Mutex
	cur   Credentials
	got   time.Time // when cur was obtained
	stale bool      // cur was refused as expired
}

func newRefreshingSource(label string, clk clock.Clock, fetch func(ctx context.Context) (Credentials, error)) *refreshingSource {
	if clk == nil {
		clk = clock.Real{}
	}
	return &refreshingSource{label: label, fetch: fetch, clock: clk, renew: make(chan struct{}, 1)}
}

// fresh returns the cached keys when they need no renewal.
func (s *refreshingSource) fresh(now time.Time) (Credentials, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur.AccessKeyID == "" || s.stale {
		return Credentials{}, false
	}
	if s.cur.Expiration.IsZero() {
		return s.cur, true
	}
	return s.cur, now.Before(s.cur.Expiration.Add(-refreshMargin(s.got, s.cur.Expiration)))
}

// usable returns the cached keys when they have not expired yet.
func (s *refreshingSource) usable(now time.Time) (Credentials, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok := s.cur.AccessKeyID != "" && !s.stale && (s.cur.Expiration.IsZero() || now.Add(5*time.Second).Before(s.cur.Expiration))
	return s.cur, ok
}

func refreshMargin(got, exp time.Time) time.Duration {
	m := exp.Sub(got) / 4
	if m > maxRefreshMargin {
		m = maxRefreshMargin
	}
	if m < 0 {
		m = 0
	}
	return m
}

func (s *refreshingSource) Retrieve(ctx context.Context) (Credentials, error) {
	if c, ok := s.fresh(s.clock.Now()); ok {
		return c, nil
	}
	select {
	case s.renew <- struct{}{}:
	case <-ctx.Done():
		return Credentials{}, credentialError(s.label, ctx.Err())
	}
	defer func() { <-s.renew }()
	if c, ok := s.fresh(s.clock.Now()); ok { // renewed while we waited
		return c, nil
	}
	start := s.clock.Now()
	c, err := s.fetch(ctx)
	if err != nil {
		if old, ok := s.usable(s.clock.Now()); ok {
			// The keys in hand still work: keep using them, and try again
			// at the next call.
			tflog.Warn(ctx, "Renewing credentials failed; the current ones are still valid", map[string]any{
				"credential_source": s.label, "credential_expiration": old.Expiration.UTC().Format(time.RFC3339),
				"error": err.Error(),
			})
			return old, nil
		}
		return Credentials{}, credentialError(s.label, err)
	}
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return Credentials{}, credentialError(s.label, errors.New("the answer holds no access key"))
	}
	s.mu.Lock()
	s.cur, s.got, s.stale = c, start, false
	s.mu.Unlock()
	fields := map[string]any{"credential_source": s.label}
	if !c.Expiration.IsZero() {
		fields["credential_expiration"] = c.Expiration.UTC().Format(time.RFC3339)
	}
	tflog.Debug(ctx, "Credentials obtained", fields)
	return c, nil
}

// Expire marks the cached keys as refused, if they are still accessKeyID's.
func (s *refreshingSource) Expire(accessKeyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur.AccessKeyID == accessKeyID {
		s.stale = true
	}
}

func (s *refreshingSource) GetCredentials() (*credentials.Credentials, error) {
	ctx, cancel := context.WithTimeout(context.Background(), getCredentialsTimeout)
	defer cancel()
	c, err := s.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	return sdkCredentials(c, s.label), nil
}

func (s *refreshingSource) GetProviderName() string { return s.label }

// secretSet holds the secrets of every key a Client has signed with, so
// that the redactor removes them even when they were issued after the
// Client was made.
type secretSet struct {
	mu   sync.RWMutex
	seen map[string]bool
	r    redactor
}

func (s *secretSet) add(c Credentials) {
	s.mu.RLock()
	known := s.seen[c.AccessKeySecret] && (c.SecurityToken == "" || s.seen[c.SecurityToken])
	s.mu.RUnlock()
	if known {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	var fresh []string
	for _, v := range []string{c.AccessKeySecret, c.SecurityToken, c.AccessKeyID} {
		if v != "" && !s.seen[v] {
			s.seen[v] = true
			fresh = append(fresh, v)
		}
	}
	s.r = s.r.with(fresh...)
}

func (s *secretSet) redactor() redactor {
	if s == nil {
		return redactor{}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.r
}
