package emulator

import (
	"crypto/hmac"
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

// secretFingerprintParams are left out of the fingerprint that the state
// file keeps: an unsalted hash of a password lets anyone who reads the file
// check guesses offline. They go into a second fingerprint, an HMAC under a
// key drawn at random for each emulator run, that lives in memory only.
// Within a run the same token with another password is a mismatch; after a
// restart a changed password is not noticed (the emulator no longer knows
// anything about it).
var secretFingerprintParams = map[string]bool{"Password": true, "UserData": true}

// fingerprint returns the stored fingerprint (every parameter but the common
// and the secret ones, SHA-256) and the in-memory one of the secret
// parameters (HMAC-SHA256 under key).
func fingerprint(p params, key []byte) (stored, secret string) {
	keys := make([]string, 0, len(p))
	for k := range p {
		if !commonParams[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	h, hs := sha256.New(), hmac.New(sha256.New, key)
	for _, k := range keys {
		w := h
		if secretFingerprintParams[k] {
			w = hs
		}
		w.Write([]byte(k))
		w.Write([]byte{0})
		w.Write([]byte(p[k]))
		w.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), hex.EncodeToString(hs.Sum(nil))
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
	fp, secretFP := fingerprint(c.p, c.e.fpKey)
	if te, ok := c.e.st.Tokens[key]; ok {
		if te.Fingerprint != fp || te.SecretFingerprint != "" && te.SecretFingerprint != secretFP {
			return nil, errIdempotentMismatch()
		}
		return cloneResult(te.Result), nil
	}
	res, ae := run()
	if ae != nil {
		return nil, ae
	}
	c.e.st.Tokens[key] = &tokenEntry{Fingerprint: fp, SecretFingerprint: secretFP, Result: cloneResult(res)}
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
