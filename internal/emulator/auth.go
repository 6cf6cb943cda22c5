package emulator

import (
	"crypto/subtle"
	"net/http"
	"time"
)

// maxSkew is the gateway's tolerance between the client's timestamp and the
// server's clock.
const maxSkew = 15 * time.Minute

const timestampLayout = "2006-01-02T15:04:05Z"

// MaxNonceBytes bounds a signature nonce. The docs give no limit; clients
// send a UUID (36 characters) or 32 hex digits.
const MaxNonceBytes = 128

func errNonceTooLong(name string) *apiError {
	return newErr(http.StatusBadRequest, "InvalidParameter", "The parameter %s is longer than %d bytes.", name, MaxNonceBytes)
}

// verified is what a good signature proves.
type verified struct {
	AccessKeyID string
	Nonce       string
}

// verifySignature checks a v1 or v3 signature, the timestamp window and the
// STS token. It is pure (no nonce cache), so fuzz targets can call it.
// wallNow is the wall clock: AdvanceClock must not make real clients' fresh
// timestamps look expired.
func verifySignature(req *request, creds map[string]Credential, wallNow time.Time) (verified, *apiError) {
	if req.v3 {
		return verifyV3(req, creds, wallNow)
	}
	return verifyV1(req, creds, wallNow)
}

func verifyV1(req *request, creds map[string]Credential, wallNow time.Time) (verified, *apiError) {
	p := req.params
	if _, ok := p["Signature"]; !ok {
		return verified{}, newErr(http.StatusBadRequest, "IncompleteSignature",
			"The request signature does not conform to Aliyun standards. Signature is missing.")
	}
	akID := p["AccessKeyId"]
	if akID == "" {
		return verified{}, errMissing("AccessKeyId")
	}
	if m := p["SignatureMethod"]; m != "HMAC-SHA1" {
		return verified{}, newErr(http.StatusBadRequest, "IncompleteSignature",
			"The request signature does not conform to Aliyun standards. SignatureMethod %q is not supported.", m)
	}
	if v := p["SignatureVersion"]; v != "1.0" {
		return verified{}, newErr(http.StatusBadRequest, "IncompleteSignature",
			"The request signature does not conform to Aliyun standards. SignatureVersion %q is not supported.", v)
	}
	nonce := p["SignatureNonce"]
	if nonce == "" {
		return verified{}, errMissing("SignatureNonce")
	}
	if len(nonce) > MaxNonceBytes {
		return verified{}, errNonceTooLong("SignatureNonce")
	}
	cred, ok := creds[akID]
	if !ok {
		return verified{}, newErr(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
	}
	if e := checkTimestamp(p["Timestamp"], wallNow); e != nil {
		return verified{}, e
	}
	sts := v1StringToSign(req.method, req.query, req.form)
	if !equalStrings(v1Sign(cred.AccessKeySecret, sts), p["Signature"]) {
		return verified{}, newErr(http.StatusBadRequest, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:%s", sts)
	}
	if e := checkToken(cred, p["SecurityToken"]); e != nil {
		return verified{}, e
	}
	return verified{AccessKeyID: akID, Nonce: nonce}, nil
}

func verifyV3(req *request, creds map[string]Credential, wallNow time.Time) (verified, *apiError) {
	auth, ok := parseV3Auth(req.header.Get("Authorization"))
	if !ok {
		return verified{}, newErr(http.StatusBadRequest, "IncompleteSignature",
			"The request signature does not conform to Aliyun standards. The Authorization header is malformed.")
	}
	nonce := req.header.Get("x-acs-signature-nonce")
	if nonce == "" {
		return verified{}, errMissing("x-acs-signature-nonce")
	}
	if len(nonce) > MaxNonceBytes {
		return verified{}, errNonceTooLong("x-acs-signature-nonce")
	}
	cred, ok := creds[auth.AccessKeyID]
	if !ok {
		return verified{}, newErr(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
	}
	if e := checkTimestamp(req.header.Get("x-acs-date"), wallNow); e != nil {
		return verified{}, e
	}
	bodyHash := hexSHA256(req.body)
	payload := req.header.Get("x-acs-content-sha256")
	if payload == "" {
		payload = bodyHash
	}
	sts := v3StringToSign(req.method, req.host, req.query, req.header, auth.SignedHeaders, payload)
	if payload != bodyHash || !equalStrings(v3Sign(cred.AccessKeySecret, sts), auth.Signature) {
		return verified{}, newErr(http.StatusBadRequest, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:%s", sts)
	}
	if e := checkToken(cred, req.header.Get("x-acs-security-token")); e != nil {
		return verified{}, e
	}
	return verified{AccessKeyID: auth.AccessKeyID, Nonce: nonce}, nil
}

func checkTimestamp(ts string, wallNow time.Time) *apiError {
	if ts == "" {
		return errMissing("Timestamp")
	}
	t, err := time.Parse(timestampLayout, ts)
	if err != nil {
		return newErr(http.StatusBadRequest, "InvalidTimeStamp.Format",
			"Specified time stamp or date value is not well formatted.")
	}
	if d := wallNow.Sub(t); d > maxSkew || d < -maxSkew {
		return newErr(http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
	}
	return nil
}

// checkToken: a key configured with an STS token requires exactly that token;
// a plain key must not carry one.
func checkToken(cred Credential, got string) *apiError {
	switch {
	case cred.SecurityToken == "" && got == "":
		return nil
	case cred.SecurityToken != "" && got == "":
		return newErr(http.StatusBadRequest, "InvalidSecurityToken.Malformed", "The security token you provided is malformed.")
	case !equalStrings(cred.SecurityToken, got):
		return newErr(http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey",
			"The security token you provided does not match the access key.")
	}
	return nil
}

func equalStrings(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
