package ecsapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// ECS never redirects. A redirect (from a proxy, a captive portal, a hostile
// endpoint) is refused: it is not followed, not retried, and the error names
// its Location without the credentials or query values it carries. Go's
// client would otherwise follow it, https → http included, and resend the
// signed request (its SecurityToken and Password) to wherever it points.
func TestRedirectIsRefused(t *testing.T) {
	var followed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"RequestId":"REQ-FOLLOWED","Instances":{"Instance":[]}}`))
	}))
	defer target.Close()
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusMovedPermanently, http.StatusFound, http.StatusPermanentRedirect} {
		var asked atomic.Int32
		location := strings.Replace(target.URL, "http://", "http://admin:hunter2-pass@", 1) +
			"/steal?SecurityToken=tok-leak-77&Signature=sig-leak-88&code=c0de-leak#frag-leak"
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked.Add(1)
			w.Header().Set("Location", location)
			w.WriteHeader(status)
		}))
		f := &fakeECS{t: t, srv: redirector}
		c, _ := f.newTestClient(t, func(cfg *Config) { cfg.SecurityToken = "sts-token-secret-42" })
		_, err := c.GetInstance(context.Background(), "i-redirect")
		redirector.Close()
		if err == nil {
			t.Fatalf("%d: the call succeeded through the redirect", status)
		}
		msg := err.Error()
		t.Logf("%d: %s", status, msg)
		if !strings.Contains(msg, "redirect") || !strings.Contains(msg, strings.TrimPrefix(target.URL, "http://")+"/steal") {
			t.Errorf("%d: the error does not name the redirect and its Location: %s", status, msg)
		}
		for _, leak := range []string{"hunter2-pass", "tok-leak-77", "sig-leak-88", "c0de-leak", "frag-leak", "sts-token-secret-42", "admin:"} {
			if strings.Contains(msg, leak) {
				t.Errorf("%d: the error repeats %q: %s", status, leak, msg)
			}
		}
		if n := asked.Load(); n != 1 {
			t.Errorf("%d: the redirecting endpoint was asked %d times, want 1 (a redirect is not retried)", status, n)
		}
		if IsTransient(err) || IsNotFound(err) {
			t.Errorf("%d: a redirect classified as transient or not-found: %v", status, err)
		}
	}
	if n := followed.Load(); n != 0 {
		t.Fatalf("the redirect was followed %d times", n)
	}
}

func TestRedactURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://user:p4ss@ecs.example.com:8443/x?Signature=abc&a=1#f", "https://REDACTED@ecs.example.com:8443/x?Signature=REDACTED&a=REDACTED"},
		{"http://127.0.0.1:8085", "http://127.0.0.1:8085"},
		{"user:p4ss@ecs.example.com", "REDACTED@ecs.example.com"},
		{"http://u:p%zz@host/", "http://REDACTED@host/"},
		{"http://host/?tok=x y", "http://host/?tok=REDACTED"},
		{"::not a url:p4ss@", "REDACTED@"},
	} {
		if got := RedactURL(c.in); got != c.want {
			t.Errorf("RedactURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Redact(`Get "http://ak:s3cr3t-pw@host/?x=1": EOF`); strings.Contains(got, "s3cr3t-pw") {
		t.Errorf("Redact keeps a URL's password: %s", got)
	}
}

// An HTTPS endpoint that redirects to plain HTTP is refused the same way:
// nothing is sent in clear.
func TestRedirectHTTPSToHTTPIsRefused(t *testing.T) {
	var followed atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/?Password=pw-leak-1", http.StatusTemporaryRedirect)
	}))
	defer tlsSrv.Close()
	f := &fakeECS{t: t, srv: tlsSrv}
	c, _ := f.newTestClient(t, func(cfg *Config) {
		cfg.Endpoint = strings.TrimPrefix(tlsSrv.URL, "https://")
		cfg.Scheme = "https"
		cfg.Transport = tlsSrv.Client().Transport
	})
	_, err := c.GetInstance(context.Background(), "i-tls")
	if err == nil || !strings.Contains(err.Error(), "HTTP 307") || strings.Contains(err.Error(), "pw-leak-1") {
		t.Fatalf("https → http redirect: %v", err)
	}
	if followed.Load() != 0 {
		t.Fatal("the redirect to plain HTTP was followed")
	}
}

// An endpoint with user info is refused without repeating the password.
func TestEndpointErrorIsRedacted(t *testing.T) {
	for _, ep := range []string{"ak:pw-9f8e7d@ecs.example.com", "https://ak:pw-9f8e7d@ecs.example.com/"} {
		_, err := New(Config{RegionID: "cn-hangzhou", AccessKeyID: "a", AccessKeySecret: "b", Endpoint: ep})
		if err == nil || strings.Contains(err.Error(), "pw-9f8e7d") || !strings.Contains(err.Error(), "REDACTED@ecs.example.com") {
			t.Errorf("endpoint %q: %v", ep, err)
		}
	}
}
