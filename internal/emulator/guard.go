package emulator

import (
	"crypto/subtle"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The rules that keep web pages from driving an emulator on a developer's
// machine (README, "Security"). A page the browser visits can send requests
// to 127.0.0.1; it cannot choose their Host header (DNS rebinding aside) nor
// drop their Origin and Sec-Fetch-Site headers, and it cannot send
// application/json across origins without a CORS preflight, which the
// emulator never grants. SDKs, curl and the other clients send no Origin and
// no Sec-Fetch-Site, so none of this concerns them.

// refusal says why a request is refused before anything else looks at it;
// "" means it may proceed.
func (e *Emulator) refusal(r *http.Request) string {
	if !e.opts.AllowRemote && !localHost(r.Host) {
		return "the Host header is not localhost or a loopback address (a DNS rebinding page?); " +
			"the emulator serves other names only with --allow-remote"
	}
	if origins, ok := r.Header["Origin"]; ok {
		if len(origins) != 1 || !localOrigin(origins[0]) {
			return "requests from web pages of another origin are refused (Origin is not a loopback origin)"
		}
	}
	if strings.EqualFold(r.Header.Get("Sec-Fetch-Site"), "cross-site") {
		return "cross-site requests from web pages are refused (Sec-Fetch-Site: cross-site)"
	}
	return ""
}

// localHost reports whether a Host header value (host or host:port) names
// this machine: localhost or a loopback IP address.
func localHost(hostport string) bool {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	} else if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// localOrigin reports whether an Origin header is an http(s) origin on
// localhost or a loopback address. "null" (sandboxed frames, file: pages)
// is not.
func localOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.User != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return false
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	return localHost(u.Host)
}

// adminRefusal applies the admin API's own rules on top of refusal: the
// token when one is configured (else loopback clients only), and
// application/json on every write. It returns the status and message of the
// refusal, or 0.
func (e *Emulator) adminRefusal(r *http.Request) (int, string) {
	if e.opts.AdminToken != "" {
		if !bearerMatches(r.Header.Get("Authorization"), e.opts.AdminToken) {
			return http.StatusUnauthorized, "the admin API needs the admin token: Authorization: Bearer <token>"
		}
	} else if !isLoopback(r.RemoteAddr) {
		return http.StatusForbidden, "the admin API is only served to loopback clients"
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !isJSON(r.Header.Get("Content-Type")) {
		return http.StatusUnsupportedMediaType, "admin writes need Content-Type: application/json"
	}
	return 0, ""
}

func bearerMatches(header, token string) bool {
	scheme, got, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) == 1
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// quoteShort quotes an attacker-controlled value for a log line, cut short.
func quoteShort(s string) string {
	const max = 80
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strconv.Quote(s)
}
