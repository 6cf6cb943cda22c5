package provider

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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

// plainHTTPExposes says what crosses the network in clear for each endpoint
// attribute: every one carries signed requests with the key id and the
// security token; STS answers carry new keys, and AssumeRoleWithOIDC's body
// the whole OIDC token.
var plainHTTPExposes = map[string]string{
	"endpoint": "the access key id, the security token, the signed parameters (instance passwords and user data " +
		"among them) and every answer",
	"sts_endpoint": "the access key id, the security token, the signature, the whole OIDC token of " +
		"AssumeRoleWithOIDC and the temporary keys in every answer",
	"vpc_endpoint": "the access key id, the security token, the signed parameters and every answer",
}

// warnPlainHTTP is the one rule for every endpoint attribute and its
// environment variables: plain http:// to a host that is not this machine
// warns on the attribute, naming where the value came from.
func warnPlainHTTP(diags *diag.Diagnostics, attr, raw, source, scheme, host string) {
	if scheme != "http" || loopbackEndpointHost(host) {
		return
	}
	diags.AddAttributeWarning(path.Root(attr), "Credentials sent over plain HTTP",
		fmt.Sprintf("The %s %q (from %s) is plain http:// to %s, which is not this machine. Every request "+
			"crosses the network unencrypted: %s can be read on the way. Use https://, or http:// only to a "+
			"loopback address such as the emulator's.", attr, redactEndpoint(raw), source, host, plainHTTPExposes[attr]))
}
