package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

const v3Algorithm = "ACS3-HMAC-SHA256"

// v3Auth is the parsed Authorization header of a v3 request.
type v3Auth struct {
	AccessKeyID   string
	SignedHeaders []string
	Signature     string
}

// parseV3Auth reads "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex".
func parseV3Auth(h string) (v3Auth, bool) {
	var a v3Auth
	rest, ok := strings.CutPrefix(h, v3Algorithm+" ")
	if !ok {
		return a, false
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, false
		}
		switch k {
		case "Credential":
			a.AccessKeyID = v
		case "SignedHeaders":
			if v != "" {
				a.SignedHeaders = strings.Split(v, ";")
			}
		case "Signature":
			a.Signature = v
		}
	}
	return a, a.AccessKeyID != "" && a.Signature != "" && len(a.SignedHeaders) > 0
}

// v3CanonicalQuery sorts keys and percent-encodes values; empty values are "k=".
func v3CanonicalQuery(q url.Values) string {
	keys := sortedKeys(q)
	var b strings.Builder
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(percentEncode(k))
			b.WriteByte('=')
			b.WriteString(percentEncode(v))
		}
	}
	return b.String()
}

// v3StringToSign builds the canonical request over the headers the client
// says it signed and returns "ACS3-HMAC-SHA256\n" + hex(sha256(canonical)).
func v3StringToSign(method, host string, q url.Values, header http.Header, signed []string, payloadHash string) string {
	var ch strings.Builder
	names := make([]string, len(signed))
	for i, n := range signed {
		names[i] = strings.ToLower(strings.TrimSpace(n))
	}
	for _, n := range names {
		var vals []string
		if n == "host" {
			vals = []string{host}
		} else {
			for _, v := range header.Values(n) {
				vals = append(vals, strings.TrimSpace(v))
			}
			sort.Strings(vals)
		}
		ch.WriteString(n)
		ch.WriteByte(':')
		ch.WriteString(strings.Join(vals, ","))
		ch.WriteByte('\n')
	}
	canonical := method + "\n/\n" + v3CanonicalQuery(q) + "\n" + ch.String() + "\n" +
		strings.Join(names, ";") + "\n" + payloadHash
	sum := sha256.Sum256([]byte(canonical))
	return v3Algorithm + "\n" + hex.EncodeToString(sum[:])
}

// v3Sign returns hex(HMAC-SHA256(secret, stringToSign)); no "&" on the key.
func v3Sign(secret, stringToSign string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(stringToSign))
	return hex.EncodeToString(h.Sum(nil))
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
