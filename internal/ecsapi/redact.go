package ecsapi

import (
	"net/url"
	"regexp"
	"strings"
)

// redactedValue replaces every secret.
const redactedValue = "REDACTED"

// secretParams are the query parameters whose values never leave this package.
// The SDK's transport errors embed the full signed URL, and the
// SignatureDoesNotMatch message embeds the string to sign.
var secretParams = `(?i)(Signature|AccessKeyId|SecurityToken|Password|AccessKeySecret|BearerToken|OIDCToken)`

var (
	// key=value in a plain query string: the value ends at & or a delimiter.
	plainParamPattern = regexp.MustCompile(`\b` + secretParams + `=([^&\s"'<>]*)`)
	// key%3Dvalue in a percent-encoded query string (the string to sign):
	// the value ends at %26 (an encoded &); %25XX is an encoded byte inside it.
	encodedParamPattern = regexp.MustCompile(secretParams + `%3D((?:%25[0-9A-Fa-f]{2}|%(?:[013-9A-Fa-f][0-9A-Fa-f]|2[0-57-9A-Fa-f])|[^%&\s"'<>])*)`)
	// scheme://user:password@ in free text: the user info goes whole.
	userinfoPattern = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s"'<>@]*@`)
)

// minSecretLiteral keeps a very short "secret" from wiping unrelated text.
const minSecretLiteral = 4

// Redact removes the values of secret query parameters (Signature,
// AccessKeyId, SecurityToken, Password, AccessKeySecret, BearerToken,
// OIDCToken) from s,
// in plain and percent-encoded form.
func Redact(s string) string {
	return redactor{}.redact(s)
}

// redactor also removes configured secret literals (the key pair, the
// security token, a call's password) wherever they appear.
type redactor struct {
	literals []string
}

func newRedactor(secrets ...string) redactor {
	return redactor{}.with(secrets...)
}

// with returns a redactor that also removes secrets (raw and URL-encoded).
func (r redactor) with(secrets ...string) redactor {
	out := redactor{literals: append([]string(nil), r.literals...)}
	for _, s := range secrets {
		if len(s) < minSecretLiteral {
			continue
		}
		once := url.QueryEscape(s)
		pct := strings.ReplaceAll(once, "+", "%20")
		for _, form := range []string{s, once, pct, url.QueryEscape(once), url.QueryEscape(pct)} {
			out.literals = appendUnique(out.literals, form)
		}
	}
	// Longest first, so a literal that contains another is removed whole.
	sortByLengthDesc(out.literals)
	return out
}

func (r redactor) redact(s string) string {
	for _, lit := range r.literals {
		s = strings.ReplaceAll(s, lit, redactedValue)
	}
	s = userinfoPattern.ReplaceAllString(s, "${1}"+redactedValue+"@")
	s = plainParamPattern.ReplaceAllString(s, "${1}="+redactedValue)
	s = encodedParamPattern.ReplaceAllString(s, "${1}%3D"+redactedValue)
	return s
}

// RedactURL returns a URL fit to quote in an error or a log: its user info
// (user:password@) becomes REDACTED, every query value becomes REDACTED
// (the names stay), and the fragment is dropped. It works on text that
// does not parse as a URL too, and on a bare host[:port] with user info.
func RedactURL(raw string) string {
	s, _, _ := strings.Cut(raw, "#")
	s, query, hasQuery := strings.Cut(s, "?")
	prefix, rest := "", s
	if i := strings.Index(s, "://"); i >= 0 {
		prefix, rest = s[:i+3], s[i+3:]
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = redactedValue + authority[i:]
	}
	out := prefix + authority + path
	if hasQuery {
		pairs := strings.Split(query, "&")
		for i, p := range pairs {
			if k, _, ok := strings.Cut(p, "="); ok {
				pairs[i] = k + "=" + redactedValue
			}
		}
		out += "?" + strings.Join(pairs, "&")
	}
	return out
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

func sortByLengthDesc(list []string) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && len(list[j]) > len(list[j-1]); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}
