package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"
)

// commonParams are not part of an idempotency fingerprint: a retry re-signs
// with a new nonce and timestamp, and may switch response format.
var commonParams = map[string]bool{
	"Action": true, "Version": true, "Format": true, "AccessKeyId": true, "SignatureMethod": true,
	"SignatureVersion": true, "SignatureNonce": true, "Timestamp": true, "SignatureType": true,
	"Signature": true, "SecurityToken": true, "BearerToken": true, "OwnerId": true, "OwnerAccount": true,
	"ResourceOwnerId": true, "ResourceOwnerAccount": true, "CallerParentId": true,
}

func fingerprint(p params) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		if !commonParams[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(p[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// idempotent wraps a creating action with ClientToken semantics: the same
// token and parameters give the stored result again; different parameters
// give 403 IdempotentParameterMismatch. Only successes are remembered, and a
// DryRun never is.
func (c *call) idempotent(run func() (M, *apiError)) (M, *apiError) {
	token := c.p.str("ClientToken")
	if token == "" {
		return run()
	}
	if !validClientToken(token) {
		return nil, newErr(http.StatusBadRequest, "InvalidClientToken.ValueNotSupported",
			"The ClientToken provided is invalid.")
	}
	key := c.req.action + "\x00" + token
	fp := fingerprint(c.p)
	if te, ok := c.e.st.Tokens[key]; ok {
		if te.Fingerprint != fp {
			return nil, errIdempotentMismatch()
		}
		return cloneResult(te.Result), nil
	}
	res, ae := run()
	if ae != nil {
		return nil, ae
	}
	c.e.st.Tokens[key] = &tokenEntry{Fingerprint: fp, Result: cloneResult(res)}
	c.dirty = true
	return res, nil
}

// cloneResult deep-copies a result through JSON so the stored copy never
// aliases a response being encoded.
func cloneResult(m M) M {
	b, err := json.Marshal(m)
	if err != nil {
		return M{}
	}
	var out M
	if json.Unmarshal(b, &out) != nil {
		return M{}
	}
	return out
}
