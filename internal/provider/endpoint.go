package provider

import (
	"errors"
	"net"
	"net/url"
	"strings"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// redactEndpoint is the endpoint as diagnostics may quote it: without the
// user info (user:password@), query values or fragment.
func redactEndpoint(raw string) string { return ecsapi.RedactURL(strings.TrimSpace(raw)) }

// loopbackEndpointHost reports whether host[:port] is this machine:
// localhost or a loopback address. Plain HTTP to anything else sends the
// credentials across a network.
func loopbackEndpointHost(hostport string) bool {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// parseEndpoint turns the endpoint setting into the SDK's scheme and host.
// A URL's scheme decides between HTTP and HTTPS; a bare host means HTTPS,
// because credentials must not cross the network in clear by accident.
func parseEndpoint(raw string) (scheme, host string, err error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", errors.New("it does not parse as a URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return "", "", errors.New("the scheme must be http or https, not " + u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", "", errors.New("it has no host")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", "", errors.New("it must be only a scheme, a host and an optional port (no path, query or user)")
	}
	if p := u.Port(); p != "" {
		for _, c := range p {
			if c < '0' || c > '9' {
				return "", "", errors.New("the port is not a number")
			}
		}
	}
	return strings.ToLower(u.Scheme), u.Host, nil
}

// endpointSourceText names where the endpoint came from in transport
// errors: the attribute by name, or the environment variable.
func endpointSourceText(source string) string {
	if source == "the provider attribute" {
		return `the provider attribute "endpoint"`
	}
	return source
}
