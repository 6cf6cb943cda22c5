package ecsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

// DefaultSTSEndpoint is the public STS endpoint.
const DefaultSTSEndpoint = "sts.aliyuncs.com"

// stsTimestampLayout is the only form of Expiration STS answers with.
const stsTimestampLayout = "2006-01-02T15:04:05Z"

// STSConfig configures an STS client.
type STSConfig struct {
	// Endpoint is host[:port]; "" = DefaultSTSEndpoint.
	Endpoint string
	// Scheme is "http" or "https" (default https).
	Scheme string
	// RegionID is sent with the signed calls (STS is global).
	RegionID string
	// Transport carries every call; nil = a tuned clone of http.DefaultTransport.
	Transport http.RoundTripper
	// UserAgent is appended to the SDK's User-Agent.
	UserAgent string
	// ConnectTimeout (default 5 s) and ReadTimeout (default 10 s) bound each attempt.
	ConnectTimeout time.Duration
	ReadTimeout    time.Duration
	// MaxRetries of throttled or transiently failed calls (negative = 3).
	MaxRetries int
	// Clock is used for backoff and for the keys' freshness; nil = clock.Real{}.
	Clock clock.Clock
}

// STS calls the Security Token Service: AssumeRole and GetCallerIdentity
// through the SDK's services/sts client, AssumeRoleWithOIDC (which is not
// signed) as a plain form POST that follows no redirect. Every call goes
// over the configured transport (the SDK's through the same wrapper as ECS
// calls) with the caller's context, and is retried when throttled or
// transiently failed. Its errors are *APIError with Service "STS", redacted.
type STS struct {
	cfg       STSConfig
	transport http.RoundTripper
}

var initSTSEndpointMap sync.Once

// NewSTS validates cfg and returns a client. It is safe for concurrent use.
func NewSTS(cfg STSConfig) (*STS, error) {
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultSTSEndpoint
	}
	if strings.Contains(cfg.Endpoint, "/") {
		return nil, fmt.Errorf("ecsapi: STS endpoint %q must be host[:port] without a scheme or path", cfg.Endpoint)
	}
	switch strings.ToLower(cfg.Scheme) {
	case "", "https":
		cfg.Scheme = "HTTPS"
	case "http":
		cfg.Scheme = "HTTP"
	default:
		return nil, fmt.Errorf("ecsapi: scheme %q is not allowed: use \"http\" or \"https\"", cfg.Scheme)
	}
	if cfg.RegionID == "" {
		cfg.RegionID = "cn-hangzhou"
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 10 * time.Second
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 3
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	s := &STS{cfg: cfg, transport: cfg.Transport}
	if s.transport == nil {
		s.transport = newSharedTransport(cfg.ConnectTimeout)
	}
	initSTSEndpointMap.Do(func() { _ = sts.GetEndpointMap() })
	return s, nil
}

// AssumeRoleInput is one AssumeRole request.
type AssumeRoleInput struct {
	RoleARN     string
	SessionName string
	Duration    time.Duration // 0 = the service's default (3600 s)
	ExternalID  string
	Policy      string
}

// AssumeRole assumes a role with the keys base gives. When base's keys are
// refused as expired, they are renewed once and the call repeated.
func (s *STS) AssumeRole(ctx context.Context, base CredentialSource, in AssumeRoleInput) (Credentials, error) {
	var out Credentials
	err := s.withBase(ctx, base, func(c Credentials) error {
		return s.retry(ctx, "AssumeRole", redactorFor(c), func() error {
			cl, err := s.sdkClient(ctx, c)
			if err != nil {
				return err
			}
			req := sts.CreateAssumeRoleRequest()
			req.SetScheme(s.cfg.Scheme)
			req.SetDomain(s.cfg.Endpoint)
			req.RoleArn = in.RoleARN
			req.RoleSessionName = in.SessionName
			req.ExternalId = in.ExternalID
			req.Policy = in.Policy
			if in.Duration > 0 {
				req.DurationSeconds = requests.NewInteger(int(in.Duration / time.Second))
			}
			resp, err := cl.AssumeRole(req)
			if err != nil {
				return err
			}
			out, err = stsCredentials(resp.Credentials.AccessKeyId, resp.Credentials.AccessKeySecret,
				resp.Credentials.SecurityToken, resp.Credentials.Expiration)
			return err
		})
	})
	return out, err
}

// CallerIdentity is GetCallerIdentity's answer.
type CallerIdentity struct {
	IdentityType string // Account, RAMUser or AssumedRoleUser
	AccountID    string
	Arn          string
	PrincipalID  string
}

// GetCallerIdentity says whose keys creds gives.
func (s *STS) GetCallerIdentity(ctx context.Context, creds CredentialSource) (CallerIdentity, error) {
	var out CallerIdentity
	err := s.withBase(ctx, creds, func(c Credentials) error {
		return s.retry(ctx, "GetCallerIdentity", redactorFor(c), func() error {
			cl, err := s.sdkClient(ctx, c)
			if err != nil {
				return err
			}
			req := sts.CreateGetCallerIdentityRequest()
			req.SetScheme(s.cfg.Scheme)
			req.SetDomain(s.cfg.Endpoint)
			resp, err := cl.GetCallerIdentity(req)
			if err != nil {
				return err
			}
			out = CallerIdentity{IdentityType: resp.IdentityType, AccountID: resp.AccountId, Arn: resp.Arn,
				PrincipalID: resp.PrincipalId}
			return nil
		})
	})
	return out, err
}

// OIDCInput is one AssumeRoleWithOIDC request.
type OIDCInput struct {
	ProviderARN string
	RoleARN     string
	SessionName string
	Duration    time.Duration // 0 = the service's default (3600 s)
	Policy      string
	Token       string // the OIDC token (a JWT)
}

// AssumeRoleWithOIDC exchanges an OIDC token for a role's keys. The call is
// not signed: the token is the proof.
func (s *STS) AssumeRoleWithOIDC(ctx context.Context, in OIDCInput) (Credentials, error) {
	var out Credentials
	r := newRedactor(in.Token)
	err := s.retry(ctx, "AssumeRoleWithOIDC", r, func() error {
		q := url.Values{"Action": {"AssumeRoleWithOIDC"}, "Format": {"JSON"}, "Version": {"2015-04-01"},
			"Timestamp": {time.Now().UTC().Format(stsTimestampLayout)}}
		form := url.Values{"OIDCProviderArn": {in.ProviderARN}, "RoleArn": {in.RoleARN}, "OIDCToken": {in.Token}}
		if in.SessionName != "" {
			form.Set("RoleSessionName", in.SessionName)
		}
		if in.Duration > 0 {
			form.Set("DurationSeconds", strconv.Itoa(int(in.Duration/time.Second)))
		}
		if in.Policy != "" {
			form.Set("Policy", in.Policy)
		}
		u := strings.ToLower(s.cfg.Scheme) + "://" + s.cfg.Endpoint + "/?" + q.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		if s.cfg.UserAgent != "" {
			req.Header.Set("User-Agent", s.cfg.UserAgent)
		}
		var body struct {
			Credentials struct{ AccessKeyId, AccessKeySecret, SecurityToken, Expiration string }
		}
		if err := s.doJSON(req, "AssumeRoleWithOIDC", r, &body); err != nil {
			return err
		}
		out, err = stsCredentials(body.Credentials.AccessKeyId, body.Credentials.AccessKeySecret,
			body.Credentials.SecurityToken, body.Credentials.Expiration)
		return err
	})
	return out, err
}

// withBase runs call with base's keys; when the service refuses them as
// expired, it renews them once and runs call again.
func (s *STS) withBase(ctx context.Context, base CredentialSource, call func(Credentials) error) error {
	for renewed := false; ; renewed = true {
		c, err := base.Retrieve(ctx)
		if err != nil {
			return err
		}
		err = call(c)
		rn, ok := base.(renewable)
		if renewed || !ok || ErrorCode(err) != codeTokenExpired {
			return err
		}
		rn.Expire(c.AccessKeyID)
	}
}

// redactorFor removes c's secrets from error text.
func redactorFor(c Credentials) redactor {
	return newRedactor(c.AccessKeyID, c.AccessKeySecret, c.SecurityToken)
}

// retry runs one STS call with backoff on throttling and transient errors.
func (s *STS) retry(ctx context.Context, action string, r redactor, attempt func() error) error {
	for try := 0; ; try++ {
		err := attempt()
		if err == nil {
			return nil
		}
		apiErr := withContextCause(ctx, toAPIError(action, err, r))
		apiErr.Service = "STS"
		if apiErr.cause != nil || try >= s.cfg.MaxRetries || !(IsThrottling(apiErr) || IsTransient(apiErr)) {
			return apiErr
		}
		d := fullJitter(exponentialDelay(DefaultRetryBaseDelay, DefaultRetryMaxDelay, try+1))
		select {
		case <-ctx.Done():
			return apiErr
		case <-s.cfg.Clock.After(d):
		}
	}
}

// sdkClient is a fresh services/sts client for one attempt with c's keys.
func (s *STS) sdkClient(ctx context.Context, c Credentials) (*sts.Client, error) {
	conf := sdk.NewConfig()
	conf.AutoRetry = false
	conf.Scheme = s.cfg.Scheme
	conf.UserAgent = s.cfg.UserAgent
	conf.Transport = ctxTransport{ctx: ctx, base: s.transport}
	cl, err := sts.NewClientWithOptions(s.cfg.RegionID, conf, sdkProvider(c))
	if err != nil {
		return nil, err
	}
	cl.Domain = s.cfg.Endpoint
	cl.SetReadTimeout(s.cfg.ReadTimeout)
	return cl, nil
}

// doJSON sends req (no redirects, bounded time) and decodes a 2xx JSON
// answer into out, or returns the service's error.
func (s *STS) doJSON(req *http.Request, action string, r redactor, out any) error {
	hc := &http.Client{Transport: s.transport, Timeout: s.cfg.ReadTimeout + s.cfg.ConnectTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	return decodeRPCAnswer(action, resp.StatusCode, b, r, out)
}

// decodeRPCAnswer turns an RPC answer into out or an *APIError.
func decodeRPCAnswer(action string, status int, b []byte, r redactor, out any) error {
	if status >= 300 && status < 400 {
		return &APIError{Action: action, HTTPStatus: status, Message: "the service answered with a redirect, which is refused"}
	}
	if status >= 400 {
		var e struct{ Code, Message, RequestId string }
		if json.Unmarshal(b, &e) != nil || e.Code == "" {
			return &APIError{Action: action, HTTPStatus: status, Message: truncate(r.redact(string(b)), 300)}
		}
		return &APIError{Action: action, HTTPStatus: status, Code: e.Code, Message: r.redact(e.Message), RequestID: e.RequestId}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &APIError{Action: action, HTTPStatus: status, Message: "the answer is not JSON: " + truncate(r.redact(string(b)), 200)}
	}
	return nil
}

// stsCredentials checks and converts the keys of an STS answer.
func stsCredentials(id, secret, token, expiration string) (Credentials, error) {
	if id == "" || secret == "" || token == "" {
		return Credentials{}, errors.New("the answer holds no complete credentials")
	}
	exp, err := time.Parse(stsTimestampLayout, expiration)
	if err != nil {
		return Credentials{}, fmt.Errorf("the credentials' Expiration %q is not yyyy-MM-ddTHH:mm:ssZ", expiration)
	}
	return Credentials{AccessKeyID: id, AccessKeySecret: secret, SecurityToken: token, Expiration: exp}, nil
}

// AssumeRoleSource gives a role's keys, assumed with base's keys, renewed
// before they expire. label names the source in errors.
func (s *STS) AssumeRoleSource(label string, base CredentialSource, in AssumeRoleInput) CredentialSource {
	return newRefreshingSource(label, s.cfg.Clock, func(ctx context.Context) (Credentials, error) {
		return s.AssumeRole(ctx, base, in)
	})
}

// OIDCRoleSource gives a role's keys for the OIDC token that token returns
// (read again at every renewal, so a rotated token file is picked up),
// renewed before they expire. in.Token is ignored.
func (s *STS) OIDCRoleSource(label string, in OIDCInput, token func() (string, error)) CredentialSource {
	return newRefreshingSource(label, s.cfg.Clock, func(ctx context.Context) (Credentials, error) {
		t, err := token()
		if err != nil {
			return Credentials{}, err
		}
		in := in
		in.Token = t
		return s.AssumeRoleWithOIDC(ctx, in)
	})
}
