package emulator

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// oidcVerifier checks the tokens of one registered OIDC provider: an RS256
// signature by its key, its issuer, an accepted audience, the expiry on the
// wall clock, and the subject pattern of the role's trust policy.
type oidcVerifier struct {
	p       OIDCProvider
	key     *rsa.PublicKey
	subject *regexp.Regexp // nil = any subject
}

func newOIDCVerifier(p OIDCProvider) (*oidcVerifier, error) {
	if !oidcProviderARNPattern.MatchString(p.ARN) {
		return nil, fmt.Errorf("emulator: OIDC provider %q is not an ARN of the form acs:ram::<account>:oidc-provider/<name>", p.ARN)
	}
	if p.Issuer == "" || len(p.ClientIDs) == 0 {
		return nil, fmt.Errorf("emulator: OIDC provider %s needs an issuer and at least one client id", p.ARN)
	}
	key, err := parseRSAPublicKey(p.PublicKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("emulator: OIDC provider %s: %w", p.ARN, err)
	}
	v := &oidcVerifier{p: p, key: key}
	if p.Subject != "" {
		parts := strings.Split(p.Subject, "*")
		for i, s := range parts {
			parts[i] = regexp.QuoteMeta(s)
		}
		v.subject = regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
	}
	return v, nil
}

func parseRSAPublicKey(pemText string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, fmt.Errorf("public_key_pem holds no PEM block")
	}
	if k, err := x509.ParsePKCS1PublicKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public_key_pem is not an RSA public key: %w", err)
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public_key_pem is a %T, not an RSA public key", k)
	}
	return rk, nil
}

// oidcClaims are the claims the emulator reads.
type oidcClaims struct {
	Issuer   string
	Subject  string
	Audience []string
	IssuedAt int64
	Expiry   int64
}

func errOIDC(code, msg string) *apiError {
	return newErr(http.StatusUnauthorized, code, "%s", msg)
}

// verify checks a compact JWS and returns its claims.
func (v *oidcVerifier) verify(token string, now time.Time) (oidcClaims, *apiError) {
	invalid := errOIDC("AuthenticationFail.OIDCToken.Invalid", "The OIDC token is invalid.")
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return oidcClaims{}, invalid
	}
	rawHeader, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	rawPayload, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return oidcClaims{}, invalid
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(rawHeader, &header) != nil || header.Alg != "RS256" {
		return oidcClaims{}, invalid
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(v.key, crypto.SHA256, sum[:], sig) != nil {
		return oidcClaims{}, errOIDC("AuthenticationFail.OIDCToken.InvalidSignature", "The signature of the OIDC token is invalid.")
	}
	var payload struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Iat int64           `json:"iat"`
		Exp int64           `json:"exp"`
		Nbf int64           `json:"nbf"`
	}
	if json.Unmarshal(rawPayload, &payload) != nil {
		return oidcClaims{}, invalid
	}
	c := oidcClaims{Issuer: payload.Iss, Subject: payload.Sub, IssuedAt: payload.Iat, Expiry: payload.Exp}
	var one string
	if json.Unmarshal(payload.Aud, &one) == nil {
		c.Audience = []string{one}
	} else if json.Unmarshal(payload.Aud, &c.Audience) != nil {
		return oidcClaims{}, invalid
	}
	if c.Issuer != v.p.Issuer {
		return oidcClaims{}, errOIDC("AuthenticationFail.OIDCToken.Invalid",
			"The issuer of the OIDC token does not match the OIDC provider's issuer URL.")
	}
	if c.Expiry == 0 || !now.Before(time.Unix(c.Expiry, 0)) {
		return oidcClaims{}, errOIDC("AuthenticationFail.OIDCToken.Expired", "This JsonWebToken is expired.")
	}
	if payload.Nbf != 0 && now.Add(time.Minute).Before(time.Unix(payload.Nbf, 0)) {
		return oidcClaims{}, invalid
	}
	matched := false
	for _, a := range c.Audience {
		for _, want := range v.p.ClientIDs {
			if a == want {
				matched = true
			}
		}
	}
	if !matched {
		return oidcClaims{}, errOIDC("AuthenticationFail.OIDCToken.AudienceNotMatch", "Invalid audience.")
	}
	if v.subject != nil && !v.subject.MatchString(c.Subject) {
		// The role's trust policy condition on oidc:sub is not met.
		return oidcClaims{}, errNoPermission()
	}
	return c, nil
}
