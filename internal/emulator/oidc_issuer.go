package emulator

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"time"
)

// TestIssuer is an OIDC identity provider for tests: it signs RS256 tokens
// the way Terraform Cloud's workload identity does, and gives the
// OIDCProvider entry that makes the emulator trust them.
type TestIssuer struct {
	URL string
	key *rsa.PrivateKey
}

// NewTestIssuer makes an issuer with a fresh 2048-bit key.
func NewTestIssuer(url string) (*TestIssuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return &TestIssuer{URL: url, key: key}, nil
}

// Provider is the emulator configuration that trusts this issuer's tokens
// for the given audiences, registered under arn.
func (i *TestIssuer) Provider(arn string, clientIDs ...string) OIDCProvider {
	der := x509.MarshalPKCS1PublicKey(&i.key.PublicKey)
	return OIDCProvider{
		ARN: arn, Issuer: i.URL, ClientIDs: clientIDs,
		PublicKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: der})),
	}
}

// Token signs a token for sub and aud, valid for ttl from now, with any
// extra claims.
func (i *TestIssuer) Token(sub, aud string, ttl time.Duration, extra map[string]any) string {
	now := time.Now()
	claims := map[string]any{"iss": i.URL, "sub": sub, "aud": aud, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(ttl).Unix(), "jti": randomToken(16)}
	for k, v := range extra {
		claims[k] = v
	}
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "emulator-test"})
	payload, _ := json.Marshal(claims)
	signing := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signing))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, i.key, crypto.SHA256, sum[:])
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}
