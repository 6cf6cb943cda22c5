package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

var fuzzNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// fuzzSignV1 is an independent v1 signer, written from the published
// algorithm (not from the emulator's code): percent-encode with
// url.QueryEscape plus the three RPC fixes, sort, HMAC-SHA1 with secret+"&".
func fuzzSignV1(method string, params url.Values, secret string) string {
	enc := func(s string) string {
		e := url.QueryEscape(s)
		return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(e)
	}
	// Sort by encoded key, as the algorithm says (not by "k=v": "Timestamp"
	// must come before "Timestamp0" although "=" sorts after "0").
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return enc(keys[i]) < enc(keys[j]) })
	var pairs []string
	for _, k := range keys {
		for _, v := range params[k] {
			pairs = append(pairs, enc(k)+"="+enc(v))
		}
	}
	sts := method + "&" + enc("/") + "&" + enc(strings.Join(pairs, "&"))
	h := hmac.New(sha1.New, []byte(secret+"&"))
	h.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func fuzzBaseParams() url.Values {
	return url.Values{
		"Action":           {"DescribeRegions"},
		"Version":          {apiVersion},
		"Format":           {"JSON"},
		"AccessKeyId":      {DefaultAccessKeyID},
		"SignatureMethod":  {"HMAC-SHA1"},
		"SignatureVersion": {"1.0"},
		"SignatureNonce":   {"3f1f0c2e-0000-4000-8000-000000000001"},
		"Timestamp":        {fuzzNow.Format("2006-01-02T15:04:05Z")},
		"RegionId":         {"cn-hangzhou"},
	}
}

// reserved parameters change what is verified; the fuzzer may still set
// them, but then only "no panic, a coded error" is asserted.
var fuzzReserved = map[string]bool{
	"Action": true, "Version": true, "Format": true, "AccessKeyId": true, "SignatureMethod": true,
	"SignatureVersion": true, "SignatureNonce": true, "Timestamp": true, "Signature": true, "SecurityToken": true,
	"RegionId": true,
}

// FuzzSignatureV1: a request signed by an independent implementation with
// any extra parameter (any key, any value, query or form body) within the
// documented limits verifies (beyond them it is refused as InvalidParameter);
// the same request with that value changed after signing, or signed with
// another secret, is refused with SignatureDoesNotMatch.
func FuzzSignatureV1IndependentSigner(f *testing.F) {
	f.Add("InstanceName", "web-1", false)
	f.Add("Description", "a b*c~d+e/f?g&h=i", true)
	f.Add("Tag.1.Key", "", false)
	f.Add("名前", "値 ✓", true)
	f.Add("k", "\x00\xff", false)
	f.Add("Timestamp", "yesterday", false)
	f.Fuzz(func(t *testing.T, key, value string, inBody bool) {
		p := fuzzBaseParams()
		if key != "" {
			p.Set(key, value)
		}
		method, query, header := http.MethodGet, p, http.Header{}
		sign := func(secret string, q url.Values) (string, []byte) {
			q = cloneValues(q)
			q.Set("Signature", fuzzSignV1(method, q, secret))
			if !inBody {
				return q.Encode(), nil
			}
			return "", []byte(q.Encode())
		}
		if inBody {
			method = http.MethodPost
			header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		creds := []Credential{{AccessKeyID: DefaultAccessKeyID, AccessKeySecret: DefaultAccessKeySecret}}
		rawQuery, b := sign(DefaultAccessKeySecret, query)
		_, err := VerifyRequest(method, "127.0.0.1", rawQuery, header, b, creds, fuzzNow)
		if err != nil && ErrorCode(err) == "" {
			t.Fatalf("error without a service code: %v", err)
		}
		if fuzzReserved[key] || key == "" {
			return
		}
		if len(key) > MaxParamNameBytes || len(value) > MaxParamValueBytes {
			// Over the documented limits: refused as such, never accepted.
			if ErrorCode(err) != "InvalidParameter" {
				t.Fatalf("%d-byte name, %d-byte value over the limits: got %v, want InvalidParameter", len(key), len(value), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("a correctly signed request with %q=%q (body %v) was refused: %v", key, value, inBody, err)
		}
		// Another secret: refused.
		rawQuery, b = sign("not-the-secret", query)
		if _, err := VerifyRequest(method, "127.0.0.1", rawQuery, header, b, creds, fuzzNow); ErrorCode(err) != "SignatureDoesNotMatch" {
			t.Fatalf("signed with another secret: got %v, want SignatureDoesNotMatch", err)
		}
		// The value changed after signing: refused.
		rawQuery, b = sign(DefaultAccessKeySecret, query)
		tampered := value + "x"
		if inBody {
			v, _ := url.ParseQuery(string(b))
			v.Set(key, tampered)
			b = []byte(v.Encode())
		} else {
			v, _ := url.ParseQuery(rawQuery)
			v.Set(key, tampered)
			rawQuery = v.Encode()
		}
		if _, err := VerifyRequest(method, "127.0.0.1", rawQuery, header, b, creds, fuzzNow); ErrorCode(err) != "SignatureDoesNotMatch" {
			t.Fatalf("%q changed after signing: got %v, want SignatureDoesNotMatch", key, err)
		}
	})
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// FuzzRequest: arbitrary request pieces never panic the gateway, every
// refusal is a service error with a code, and nothing unsigned gets in.
func FuzzVerifyRequestIndependentSigner(f *testing.F) {
	valid := fuzzBaseParams()
	valid.Set("Signature", fuzzSignV1(http.MethodGet, valid, DefaultAccessKeySecret))
	f.Add(http.MethodGet, valid.Encode(), "", []byte(nil), "")
	f.Add(http.MethodPost, "", "application/x-www-form-urlencoded", []byte(valid.Encode()), "")
	f.Add(http.MethodGet, "Action=DescribeRegions&Version=2014-05-26", "", []byte(nil), "")
	f.Add(http.MethodGet, "%zz", "", []byte(nil), "")
	f.Add(http.MethodPost, "", "application/x-www-form-urlencoded", []byte("a=%zz"), "")
	f.Add(http.MethodPost, "Action=DescribeRegions&Version=2014-05-26", "application/json", []byte("{}"),
		"ACS3-HMAC-SHA256 Credential=emulator,SignedHeaders=host,Signature=00")
	f.Add("DELETE", "", "", []byte(nil), "")
	f.Fuzz(func(t *testing.T, method, rawQuery, contentType string, body []byte, authorization string) {
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		if authorization != "" {
			h.Set("Authorization", authorization)
		}
		creds := []Credential{{AccessKeyID: DefaultAccessKeyID, AccessKeySecret: DefaultAccessKeySecret}}
		_, err := VerifyRequest(method, "127.0.0.1", rawQuery, h, body, creds, fuzzNow)
		if err != nil {
			if ErrorCode(err) == "" {
				t.Fatalf("error without a service code: %v", err)
			}
			return
		}
		if !strings.Contains(rawQuery+string(body)+authorization, "Signature") {
			t.Fatalf("accepted a request with no signature: %q %q %q", rawQuery, body, authorization)
		}
	})
}
