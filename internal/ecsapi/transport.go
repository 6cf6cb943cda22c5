package ecsapi

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"
)

// TransportFailure says why a request got no answer. Each kind is retried
// differently (see Client.do) and explained differently (see explain).
type TransportFailure int

const (
	// TransportOther: a reset, an EOF, anything not classified below;
	// retried like any transient failure.
	TransportOther TransportFailure = iota
	// TransportRefused: nothing listens on the endpoint's port. Retried
	// for Config.RefusedRetryFor only (a service that is restarting comes
	// back within a second or two; one that is not running never does).
	TransportRefused
	// TransportTLS: the TLS handshake failed (the host speaks plain HTTP,
	// or its certificate is not trusted). Never retried: it cannot succeed.
	TransportTLS
	// TransportDNS: the endpoint's host name does not resolve. Never retried.
	TransportDNS
	// TransportNoAnswer: the endpoint accepted the connection but sent no
	// answer within Config.ReadTimeout. Retried within Config.NoAnswerFor.
	TransportNoAnswer
	// TransportConnectTimeout: the connection was not accepted within
	// Config.ConnectTimeout (a host that drops packets). Retried like
	// TransportNoAnswer.
	TransportConnectTimeout
)

// Defaults for failing fast (see Config).
const (
	// DefaultReadTimeout bounds one attempt, from sending the request to the
	// last byte of the answer. ECS answers every action the provider uses
	// in well under a second; the SDK's own defaults (10 s, 86 s for
	// RunInstances) made an endpoint that never answers cost minutes.
	DefaultReadTimeout = 15 * time.Second
	// DefaultNoAnswerFor bounds the time a call spends in attempts that
	// got no answer: two attempts at DefaultReadTimeout, so an endpoint that
	// never answers fails a call in about 30 s, while an occasional slow
	// answer under a short read timeout is still retried.
	DefaultNoAnswerFor = 30 * time.Second
	// DefaultRefusedRetryFor is how long a refused connection is retried.
	DefaultRefusedRetryFor = 2 * time.Second
)

// classifyTransport sorts a transport error. err is the raw error of the
// HTTP client (its text is never kept: it may carry the signed URL).
func classifyTransport(err error) (kind TransportFailure, httpOnHTTPS bool) {
	var (
		dnsErr    *net.DNSError
		opErr     *net.OpError
		recErr    tls.RecordHeaderError
		certErr   *tls.CertificateVerificationError
		alertErr  tls.AlertError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	msg := err.Error()
	switch {
	case strings.Contains(msg, "server gave HTTP response to HTTPS client") || errors.As(err, &recErr):
		return TransportTLS, true
	case errors.As(err, &certErr) || errors.As(err, &alertErr) || errors.As(err, &unknownCA) ||
		errors.As(err, &hostErr) || errors.As(err, &invalid) || strings.Contains(msg, "tls: "):
		return TransportTLS, false
	case errors.As(err, &dnsErr) && !dnsErr.IsTimeout:
		return TransportDNS, false
	case errors.Is(err, syscall.ECONNREFUSED):
		return TransportRefused, false
	case errors.As(err, &opErr) && opErr.Op == "dial" && opErr.Timeout():
		return TransportConnectTimeout, false
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return TransportNoAnswer, false
	}
	return TransportOther, false
}

// endpointURL is the endpoint as messages show it.
func (c *Client) endpointURL() string {
	if c.cfg.Endpoint == "" {
		return fmt.Sprintf("the SDK's ECS endpoint for region %s", c.cfg.RegionID)
	}
	return strings.ToLower(c.cfg.Scheme) + "://" + c.cfg.Endpoint
}

// endpointFrom says where the endpoint came from, for messages.
func (c *Client) endpointFrom() string {
	switch {
	case c.cfg.Endpoint == "":
		return "no endpoint was configured"
	case c.cfg.EndpointSource != "":
		return "from " + c.cfg.EndpointSource
	default:
		return "the configured endpoint"
	}
}

// explainTransport rewrites a transport error's message to say what
// happened, at which endpoint (and where that came from), and what to do.
// tries and took describe the attempts made.
func (c *Client) explainTransport(e *APIError, tries int, took time.Duration, vpc bool) {
	if e == nil || !e.Transport || e.explained {
		return
	}
	e.explained = true
	where := fmt.Sprintf("%s (%s)", c.endpointURL(), c.endpointFrom())
	host := c.cfg.Endpoint
	if vpc {
		host = c.cfg.VPCEndpoint
		where = fmt.Sprintf("the VPC endpoint %s://%s", strings.ToLower(c.cfg.VPCScheme), host)
	}
	tried := ""
	if tries > 1 {
		tried = fmt.Sprintf(" (%d attempts over %s)", tries, took.Round(100*time.Millisecond))
	}
	switch e.Failure {
	case TransportRefused:
		e.Message = fmt.Sprintf("the connection to %s was refused%s: nothing listens there. Start the service "+
			"(for the emulator: go run ./cmd/ecs-emulator) or correct the endpoint.", where, tried)
	case TransportTLS:
		if e.httpOnHTTPS && host != "" {
			e.Message = fmt.Sprintf("the TLS handshake with %s failed: the host answered in plain HTTP. Did you mean "+
				"http://%s? A bare host[:port] endpoint means HTTPS; write the scheme to use HTTP.",
				where, host)
		} else {
			e.Message = fmt.Sprintf("the TLS handshake with %s failed: %s. Check the endpoint's host name and "+
				"that its certificate is trusted by this machine.", where, e.Message)
		}
	case TransportDNS:
		e.Message = fmt.Sprintf("the host name of %s does not resolve (%s). Check the endpoint for a typo, "+
			"or the region id when no endpoint is set.", where, e.Message)
	case TransportNoAnswer:
		e.Message = fmt.Sprintf("%s accepted the connection but did not answer within %s%s. Is it an ECS "+
			"endpoint, and is the service (or the emulator) healthy? ALIECS_READ_TIMEOUT sets the time "+
			"allowed per attempt.", where, c.cfg.ReadTimeout, tried)
	case TransportConnectTimeout:
		e.Message = fmt.Sprintf("%s did not accept a connection within %s%s. Check the endpoint and any "+
			"firewall or proxy in the way.", where, c.cfg.ConnectTimeout, tried)
	default:
		e.Message = fmt.Sprintf("%s: %s%s", where, e.Message, tried)
	}
}

// stopTransportRetries reports whether a transport failure should not be
// retried again, given when the first refusal was seen and how long the
// attempts that got no answer took.
func (c *Client) stopTransportRetries(e *APIError, firstRefused time.Time, noAnswer time.Duration) bool {
	switch e.Failure {
	case TransportTLS, TransportDNS:
		return true
	case TransportRefused:
		return c.clock.Now().Sub(firstRefused) >= c.cfg.RefusedRetryFor
	case TransportNoAnswer, TransportConnectTimeout:
		return noAnswer+c.cfg.ReadTimeout > c.cfg.NoAnswerFor
	}
	return false
}

// IsUnreachable reports a transport failure that no retry can fix: the
// TLS handshake failed or the host name does not resolve.
func IsUnreachable(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.Transport && (e.Failure == TransportTLS || e.Failure == TransportDNS)
}
