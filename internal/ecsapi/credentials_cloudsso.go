package ecsapi

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

// CloudSSOInput is a CloudSSO profile of the aliyun CLI, as `aliyun
// configure --mode CloudSSO` saves it after signing in: the portal's
// sign-in URL, the account, the access configuration, and the access token
// with its expiry (Unix seconds).
type CloudSSOInput struct {
	SignInURL, AccountID, AccessConfig string
	AccessToken                        string
	AccessTokenExpire                  int64
	Clock                              clock.Clock
}

// CloudSSOSource gets STS keys for a CloudSSO access configuration through
// github.com/aliyun/credentials-go's CloudSSO provider: the protocol (the
// portal's /cloud-credentials call with the access token) is the library's.
// Its provider keeps the keys and renews them shortly before they expire,
// but takes no context and does not say when they expire: it is asked in a
// goroutine the caller's context bounds, one call at a time, and its keys
// are kept here as keys without an expiry. When the service refuses them as
// expired the client renews them (refreshingSource.Expire), and the library,
// seeing them stale, fetches new ones.
func CloudSSOSource(label string, in CloudSSOInput) (CredentialSource, error) {
	p, err := providers.NewCloudSSOCredentialsProviderBuilder().
		WithSignInUrl(in.SignInURL).
		WithAccountId(in.AccountID).
		WithAccessConfig(in.AccessConfig).
		WithAccessToken(in.AccessToken).
		WithAccessTokenExpire(in.AccessTokenExpire).
		Build()
	if err != nil {
		return nil, credentialError(label, err)
	}
	var mu sync.Mutex // the library's provider is not safe for concurrent use
	fetch := func(ctx context.Context) (Credentials, error) {
		type answer struct {
			c   *providers.Credentials
			err error
		}
		done := make(chan answer, 1)
		go func() {
			mu.Lock()
			defer mu.Unlock()
			c, err := p.GetCredentials()
			done <- answer{c, err}
		}()
		select {
		case a := <-done:
			if a.err != nil {
				return Credentials{}, fmt.Errorf("CloudSSO sign-in portal %s: %w", in.SignInURL, a.err)
			}
			if a.c == nil {
				return Credentials{}, errors.New("CloudSSO: no credentials in the answer")
			}
			return Credentials{AccessKeyID: a.c.AccessKeyId, AccessKeySecret: a.c.AccessKeySecret,
				SecurityToken: a.c.SecurityToken}, nil
		case <-ctx.Done():
			return Credentials{}, ctx.Err()
		}
	}
	return newRefreshingSource(label, in.Clock, fetch), nil
}
