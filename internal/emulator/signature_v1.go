package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
)

// percentEncode applies RFC 3986, as both signature versions require:
// A-Z a-z 0-9 - _ . ~ stay, every other byte becomes %XX with uppercase hex
// (so a space is %20 and '*' is %2A, unlike url.QueryEscape).
func percentEncode(s string) string {
	const hexd = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// v1StringToSign builds METHOD&%2F&percentEncode(CQS) over every parameter of
// query and form except Signature, empty values included.
func v1StringToSign(method string, query, form url.Values) string {
	type kv struct{ k, v string }
	pairs := make([]kv, 0, len(query)+len(form))
	add := func(vals url.Values) {
		for k, vs := range vals {
			if k == "Signature" {
				continue
			}
			ek := percentEncode(k)
			for _, v := range vs {
				pairs = append(pairs, kv{ek, percentEncode(v)})
			}
		}
	}
	add(query)
	add(form)
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return method + "&%2F&" + percentEncode(b.String())
}

// v1Sign returns Base64(HMAC-SHA1(secret+"&", stringToSign)).
func v1Sign(secret, stringToSign string) string {
	h := hmac.New(sha1.New, []byte(secret+"&"))
	h.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}
