package ecsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

// DefaultMetadataEndpoint is the ECS instance metadata service.
const DefaultMetadataEndpoint = "http://100.100.100.200"

const (
	metadataTokenPath   = "/latest/api/token"
	metadataRolesPath   = "/latest/meta-data/ram/security-credentials/"
	metadataTokenHeader = "X-aliyun-ecs-metadata-token"
	metadataTTLHeader   = "X-aliyun-ecs-metadata-token-ttl-seconds"
	// metadataTokenTTL is the longest session token the service grants.
	metadataTokenTTL = 21600
	// metadataTimeout bounds each metadata request: the service is on the
	// machine's link, so a slow answer means it is not there.
	metadataTimeout = 5 * time.Second
)

// MetadataConfig configures InstanceRoleSource.
type MetadataConfig struct {
	// Endpoint is the metadata service's base URL; "" = DefaultMetadataEndpoint.
	Endpoint string
	// RoleName is the machine's RAM role; "" = ask the service for it.
	RoleName string
	// DisableIMDSv1 refuses to read without a session token when the
	// service grants none.
	DisableIMDSv1 bool
	// Transport carries the requests; nil = a clone of http.DefaultTransport without proxy.
	Transport http.RoundTripper
	Clock     clock.Clock
}

// InstanceRoleSource gives the keys of the RAM role attached to the ECS
// machine this runs on, from its metadata service: a session token first
// (IMDSv2), then the role's keys, renewed before they expire. label names
// the source in errors.
func InstanceRoleSource(label string, cfg MetadataConfig) CredentialSource {
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultMetadataEndpoint
	}
	cfg.Endpoint = strings.TrimRight(cfg.Endpoint, "/")
	if cfg.Transport == nil {
		// No proxy: the metadata service is on the machine's own link.
		t := cloneDefaultTransport()
		t.Proxy = nil
		cfg.Transport = t
	}
	m := &metadataClient{cfg: cfg, hc: &http.Client{Transport: cfg.Transport, Timeout: metadataTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	return newRefreshingSource(label, cfg.Clock, m.credentials)
}

type metadataClient struct {
	cfg MetadataConfig
	hc  *http.Client
}

// credentials reads the role's keys.
func (m *metadataClient) credentials(ctx context.Context) (Credentials, error) {
	token, err := m.sessionToken(ctx)
	if err != nil {
		return Credentials{}, err
	}
	role := m.cfg.RoleName
	if role == "" {
		body, err := m.get(ctx, metadataRolesPath, token)
		if err != nil {
			return Credentials{}, fmt.Errorf("finding the machine's RAM role: %w", err)
		}
		role = strings.TrimSpace(strings.SplitN(string(body), "\n", 2)[0])
		if role == "" {
			return Credentials{}, errors.New("the machine has no RAM role attached")
		}
	}
	body, err := m.get(ctx, metadataRolesPath+role, token)
	if err != nil {
		return Credentials{}, fmt.Errorf("reading the keys of RAM role %q: %w", role, err)
	}
	var out struct {
		AccessKeyId, AccessKeySecret, SecurityToken, Expiration string
		Code                                                    *string
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return Credentials{}, fmt.Errorf("the keys of RAM role %q are not JSON", role)
	}
	if out.Code == nil || *out.Code != "Success" {
		code := "none"
		if out.Code != nil {
			code = *out.Code
		}
		return Credentials{}, fmt.Errorf("the metadata service answered Code %q for RAM role %q, not Success", code, role)
	}
	return stsCredentials(out.AccessKeyId, out.AccessKeySecret, out.SecurityToken, out.Expiration)
}

// sessionToken asks for an IMDSv2 session token. When the service grants
// none, it returns "" (IMDSv1) unless that is disabled.
func (m *metadataClient) sessionToken(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, m.cfg.Endpoint+metadataTokenPath, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set(metadataTTLHeader, fmt.Sprint(metadataTokenTTL))
	resp, err := m.hc.Do(req)
	if err == nil {
		defer resp.Body.Close()
		b, rerr := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if rerr == nil && resp.StatusCode == http.StatusOK && len(b) > 0 {
			return strings.TrimSpace(string(b)), nil
		}
		err = fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	if m.cfg.DisableIMDSv1 {
		return "", fmt.Errorf("the metadata service at %s granted no session token (%w) and IMDSv1 is disabled", m.cfg.Endpoint, err)
	}
	return "", nil
}

func (m *metadataClient) get(ctx context.Context, path, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.cfg.Endpoint+path, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set(metadataTokenHeader, token)
	}
	resp, err := m.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the metadata service at %s cannot be reached (is this an ECS machine?): %w", m.cfg.Endpoint, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, errors.New("not found (HTTP 404): no such RAM role is attached to this machine")
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return b, nil
}
