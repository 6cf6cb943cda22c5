package ecsapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A stand-in for a CloudSSO sign-in portal: POST /cloud-credentials with
// the access token answers the access configuration's STS keys.
func fakeSSOPortal(t *testing.T, token string, calls *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var body struct{ AccountId, AccessConfigurationId string }
		if r.Method != http.MethodPost || r.URL.Path != "/cloud-credentials" ||
			r.Header.Get("Authorization") != "Bearer "+token || json.NewDecoder(r.Body).Decode(&body) != nil ||
			body.AccountId != "1380000000000000" || body.AccessConfigurationId != "ac-123" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"ErrorCode":"InvalidCredentials"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"RequestId": "r-1", "CloudCredential": map[string]string{
			"AccessKeyId": "STS.sso", "AccessKeySecret": "sso-secret", "SecurityToken": "sso-token",
			"Expiration": time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z")}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCloudSSOSource(t *testing.T) {
	var calls atomic.Int32
	srv := fakeSSOPortal(t, "sso-access-token", &calls)
	in := CloudSSOInput{SignInURL: srv.URL, AccountID: "1380000000000000", AccessConfig: "ac-123",
		AccessToken: "sso-access-token", AccessTokenExpire: time.Now().Add(time.Hour).Unix()}
	src, err := CloudSSOSource(`profile "sso"`, in)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		c, err := src.Retrieve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c.AccessKeyID != "STS.sso" || c.AccessKeySecret != "sso-secret" || c.SecurityToken != "sso-token" {
			t.Fatalf("keys = %+v", c)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the portal was called %d times for 3 requests, want 1 (the keys are kept)", n)
	}

	// A refused access token: the error names the source and the portal.
	in.AccessToken = "another"
	src, err = CloudSSOSource(`profile "sso"`, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), `profile "sso"`) ||
		!strings.Contains(err.Error(), srv.URL) {
		t.Errorf("refused token: %v", err)
	}

	// A token that expired: refused before any call, with what to do.
	in.AccessTokenExpire = time.Now().Add(-time.Minute).Unix()
	if _, err := CloudSSOSource(`profile "sso"`, in); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired token: %v", err)
	}
}
