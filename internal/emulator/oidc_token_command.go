package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// Defaults of "ecs-emulator oidc-token": the issuer of Terraform Cloud's
// workload identity tokens and the OIDC provider ARN of the Terraform
// Cloud guide, so that its configuration works unchanged.
const (
	DefaultOIDCIssuer      = "https://app.terraform.io"
	DefaultOIDCProviderARN = "acs:ram::1380000000000000:oidc-provider/terraform-cloud"
)

// runOIDCToken is "ecs-emulator oidc-token": it plays the identity
// provider for an offline try of assume_role_with_oidc. It loads the RSA
// key of --key (making it when the file does not exist), writes to
// --sts-config the emulator configuration that trusts that key's tokens,
// and prints one signed token for --sub and --aud on stdout. No role needs
// registering: the emulator lets a trusted token assume any role that its
// configuration does not list.
func runOIDCToken(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ecs-emulator oidc-token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sub := fs.String("sub", "", "the token's sub claim, e.g. organization:acme:project:Default:workspace:ecs:run_phase:apply (required)")
	aud := fs.String("aud", "", "the token's aud claim, e.g. aliyun; the OIDC provider accepts it as its client id (required)")
	issuer := fs.String("issuer", DefaultOIDCIssuer, "the token's iss claim, and the issuer the OIDC provider trusts")
	arn := fs.String("arn", DefaultOIDCProviderARN, "ARN of the OIDC provider written to --sts-config (the provider's oidc_provider_arn)")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	keyFile := fs.String("key", "oidc-key.pem", "RSA private key (PEM) that signs the token; made when the file does not exist")
	stsFile := fs.String("sts-config", "sts.json", "file to write the emulator's --sts-config into (trusting this key)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *sub == "" || *aud == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "ecs-emulator oidc-token: --sub and --aud are required, and nothing else may follow the flags")
		return 2
	}
	if *ttl <= 0 {
		fmt.Fprintln(stderr, "ecs-emulator oidc-token: --ttl must be positive")
		return 2
	}
	key, err := loadOrMakeKey(*keyFile)
	if err != nil {
		fmt.Fprintf(stderr, "ecs-emulator oidc-token: %v\n", err)
		return 1
	}
	issuerKey := &TestIssuer{URL: *issuer, key: key}
	provider := issuerKey.Provider(*arn, *aud)
	if _, err := newOIDCVerifier(provider); err != nil {
		fmt.Fprintf(stderr, "ecs-emulator oidc-token: %v\n", err)
		return 2
	}
	doc, err := json.MarshalIndent(map[string]any{"oidc_providers": []OIDCProvider{provider}}, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "ecs-emulator oidc-token: %v\n", err)
		return 1
	}
	if err := os.WriteFile(*stsFile, append(doc, '\n'), 0o600); err != nil {
		fmt.Fprintf(stderr, "ecs-emulator oidc-token: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, issuerKey.Token(*sub, *aud, *ttl, nil))
	return 0
}

// loadOrMakeKey reads an RSA private key from path (PKCS #1 or PKCS #8
// PEM), or makes a 2048-bit one and writes it there (mode 0600).
func loadOrMakeKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		out := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
		if err := os.WriteFile(path, out, 0o600); err != nil {
			return nil, err
		}
		return key, nil
	}
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM block", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s is not an RSA private key: %w", path, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s holds a %T, not an RSA private key", path, k)
	}
	return rk, nil
}
