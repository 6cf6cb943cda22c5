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
	s = plainParamPattern.ReplaceAllString(s, "${1}="+redactedValue)
	s = encodedParamPattern.ReplaceAllString(s, "${1}%3D"+redactedValue)
	return s
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
