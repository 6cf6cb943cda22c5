package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The instance metadata service of the machine the emulator pretends to
// run on: the RAM role credentials under /latest/meta-data/ram/, with the
// session tokens of IMDSv2 (PUT /latest/api/token). On ECS it lives at
// http://100.100.100.200; here it shares the emulator's port.

const (
	metadataPrefix       = "/latest/"
	metadataTokenPath    = "/latest/api/token"
	metadataRolesPath    = "/latest/meta-data/ram/security-credentials/"
	metadataTokenHeader  = "X-aliyun-ecs-metadata-token"
	metadataTTLHeader    = "X-aliyun-ecs-metadata-token-ttl-seconds"
	maxMetadataTokenSecs = 21600
)

// isMetadataPath reports whether a request is for the metadata service.
func isMetadataPath(p string) bool { return strings.HasPrefix(p, metadataPrefix) }

// serveMetadata answers one metadata request and reports what it answered,
// for the log and the call counts (MetadataToken, MetadataCredentials).
func (e *Emulator) serveMetadata(w http.ResponseWriter, r *http.Request) (string, int, string) {
	text := func(status int, body string) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
	if why := e.metadataRefusal(r); why != "" {
		text(http.StatusUnauthorized, "401 - Unauthorized: "+why)
		return "Metadata", http.StatusUnauthorized, ""
	}
	if r.URL.Path == metadataTokenPath {
		e.countCall("MetadataToken")
		if r.Method != http.MethodPut {
			text(http.StatusMethodNotAllowed, "405 - Method Not Allowed")
			return "MetadataToken", http.StatusMethodNotAllowed, ""
		}
		secs, err := strconv.Atoi(r.Header.Get(metadataTTLHeader))
		if err != nil || secs < 1 || secs > maxMetadataTokenSecs {
			text(http.StatusBadRequest, "400 - Bad Request: "+metadataTTLHeader+" must be 1 to 21600")
			return "MetadataToken", http.StatusBadRequest, ""
		}
		tok, now := randomToken(44), e.wallNow()
		e.sts.imds.add(tok, now.Add(time.Duration(secs)*time.Second), now)
		text(http.StatusOK, tok)
		return "MetadataToken", http.StatusOK, ""
	}

	if !strings.HasPrefix(r.URL.Path, metadataRolesPath) {
		text(http.StatusNotFound, "404 - Not Found")
		return "Metadata", http.StatusNotFound, ""
	}
	e.countCall("MetadataCredentials")
	if r.Method != http.MethodGet {
		text(http.StatusMethodNotAllowed, "405 - Method Not Allowed")
		return "MetadataCredentials", http.StatusMethodNotAllowed, ""
	}
	s := e.sts
	now := e.wallNow()
	tok := r.Header.Get(metadataTokenHeader)
	if tok != "" && !s.imds.valid(tok, now) {
		text(http.StatusUnauthorized, "401 - Unauthorized: the metadata token is invalid or expired")
		return "MetadataCredentials", http.StatusUnauthorized, ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok == "" && s.opts.RequireIMDSv2 {
		text(http.StatusUnauthorized, "401 - Unauthorized: a metadata token is required")
		return "MetadataCredentials", http.StatusUnauthorized, ""
	}
	role := strings.TrimPrefix(r.URL.Path, metadataRolesPath)
	if role == "" {
		if s.opts.InstanceRole == "" {
			text(http.StatusNotFound, "404 - Not Found")
			return "MetadataCredentials", http.StatusNotFound, ""
		}
		text(http.StatusOK, s.opts.InstanceRole)
		return "MetadataCredentials", http.StatusOK, ""
	}
	if s.opts.InstanceRole == "" || role != s.opts.InstanceRole {
		text(http.StatusNotFound, "404 - Not Found")
		return "MetadataCredentials", http.StatusNotFound, ""
	}
	// Like the real service, hand out the same key until less than half of
	// its life is left, then a new one (the old one stays valid until it
	// expires).
	ttl := s.ttl()
	if k := s.instance; k == nil || k.expiration.Sub(now) < ttl/2 {
		s.instance = s.issueLocked(AccountID, role, "i-emulator-metadata", ttl, now)
	}
	k := s.instance
	body, _ := json.Marshal(map[string]string{
		"AccessKeyId":     k.cred.AccessKeyID,
		"AccessKeySecret": k.cred.AccessKeySecret,
		"SecurityToken":   k.cred.SecurityToken,
		"Expiration":      k.expiration.UTC().Format(timestampLayout),
		"LastUpdated":     now.Format(timestampLayout),
		"Code":            "Success",
	})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
	return "MetadataCredentials", http.StatusOK, ""
}

// metadataRefusal says why a metadata request is refused before it is
// looked at, "" when it may proceed. Under --allow-remote the service hands
// out working STS keys to whoever asks, so every metadata request (the
// token PUT included) needs the admin token. The client's address proves
// nothing: behind a proxy or a port forward every client looks local.
func (e *Emulator) metadataRefusal(r *http.Request) string {
	if !e.opts.AllowRemote {
		return ""
	}
	if e.opts.AdminToken == "" || !bearerMatches(r.Header.Get("Authorization"), e.opts.AdminToken) {
		return "with --allow-remote the metadata service needs the admin token: Authorization: Bearer <token>"
	}
	return ""
}
