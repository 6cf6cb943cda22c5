package ecsapi

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestRedact(t *testing.T) {
	cases := []struct{ in, want string }{
		{
			`Post "https://ecs.aliyuncs.com/?AccessKeyId=LTAIabc&Action=RunInstances&Password=p%40ss&Signature=abc%2Bdef%3D&SecurityToken=tok123&Version=2014-05-26": EOF`,
			`Post "https://ecs.aliyuncs.com/?AccessKeyId=REDACTED&Action=RunInstances&Password=REDACTED&Signature=REDACTED&SecurityToken=REDACTED&Version=2014-05-26": EOF`,
		},
		{
			"server string to sign is:POST&%2F&AccessKeyId%3DLTAIabc%26Action%3DDescribeInstances%26SecurityToken%3Dab%252Bcd%26SignatureMethod%3DHMAC-SHA1",
			"server string to sign is:POST&%2F&AccessKeyId%3DREDACTED%26Action%3DDescribeInstances%26SecurityToken%3DREDACTED%26SignatureMethod%3DHMAC-SHA1",
		},
		{"SignatureNonce=abc&SignatureMethod=HMAC-SHA1", "SignatureNonce=abc&SignatureMethod=HMAC-SHA1"},
		{"accesskeysecret=xyz", "accesskeysecret=REDACTED"},
		{"nothing secret here", "nothing secret here"},
	}
	for _, tc := range cases {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactorLiterals(t *testing.T) {
	r := newRedactor("my secret/+=value", "abc") // "abc" is too short to redact safely
	in := "raw my secret/+=value, query my+secret%2F%2B%3Dvalue, pct my%20secret%2F%2B%3Dvalue, abc stays"
	got := r.redact(in)
	for _, leak := range []string{"my secret/+=value", "my+secret%2F%2B%3Dvalue", "my%20secret%2F%2B%3Dvalue"} {
		if strings.Contains(got, leak) {
			t.Errorf("literal %q leaked: %s", leak, got)
		}
	}
	if !strings.Contains(got, "abc stays") {
		t.Errorf("short literal should be left: %s", got)
	}
}

// A real transport error of the SDK embeds the signed URL; with STS and a
// password on RunInstances, nothing secret may reach the error or the log.
func TestTransportErrorIsRedacted(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // a closed port: connection refused

	const (
		akID     = "LTAI5tSecretKeyIdValue"
		akSecret = "SuperSecretAccessKeySecret"
		token    = "CAIS+sts/token==Value"
		password = "Pa$$w0rd+/Secret"
	)
	c, err := New(Config{
		RegionID: "cn-hangzhou", AccessKeyID: akID, AccessKeySecret: akSecret, SecurityToken: token,
		Endpoint: addr, Scheme: "http", MaxRetries: 1, Clock: testClock(),
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)

	_, err = c.RunInstance(ctx, RunInstanceInput{ClientToken: "tok-1", ImageID: "m-1", InstanceType: "ecs.g7.large", Password: password})
	if err == nil {
		t.Fatal("want a transport error")
	}
	if !IsTransient(err) {
		t.Errorf("a refused connection should be transient: %v", err)
	}
	text := err.Error()
	t.Log(text)
	if !strings.Contains(text, "transport error") || !strings.Contains(text, "http://"+addr) {
		t.Errorf("unexpected text: %s", text)
	}
	if !strings.Contains(logs.String(), "RunInstances") {
		t.Errorf("the call was not logged: %s", logs.String())
	}
	for _, where := range []struct{ name, s string }{{"error", text}, {"log", logs.String()}} {
		for _, secret := range []string{akID, akSecret, token, password, "Signature=" + "", "CAIS"} {
			if secret == "Signature=" {
				if strings.Contains(where.s, "Signature=") && !strings.Contains(where.s, "Signature=REDACTED") {
					t.Errorf("%s has an unredacted signature: %s", where.name, where.s)
				}
				continue
			}
			if strings.Contains(where.s, secret) {
				t.Errorf("%s leaks %q: %s", where.name, secret, where.s)
			}
		}
	}
}
