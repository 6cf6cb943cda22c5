package emulator

import (
	"errors"
	"net/http"
	"time"
)

// VerifyRequest runs the stateless gateway path on raw request pieces:
// parsing (query and form body), version and action checks, and signature
// verification (v1 or v3, timestamp window, STS token) against creds at the
// wall time now. It never panics; it is the target of FuzzRequest and a
// convenient way for clients to check their signer.
func VerifyRequest(method, host, rawQuery string, header http.Header, body []byte, creds []Credential, now time.Time) (action string, err error) {
	req, ae := parseWire(method, host, rawQuery, header, body)
	if ae != nil {
		return "", ae
	}
	if req.action == "" {
		return "", errMissing("Action")
	}
	if _, ok := actionsFor(req.version)[req.action]; !ok {
		return req.action, newErr(http.StatusNotFound, "InvalidAction.NotFound",
			"Specified api is not found, please check your url and method")
	}
	if req.version != apiVersion && req.version != vpcAPIVersion {
		return req.action, newErr(http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid.")
	}
	m := make(map[string]Credential, len(creds))
	for _, c := range creds {
		m[c.AccessKeyID] = c
	}
	if _, ae := verifySignature(req, m, now); ae != nil {
		return req.action, ae
	}
	return req.action, nil
}

// ErrorCode returns the service error code of an error from VerifyRequest
// ("" for other errors).
func ErrorCode(err error) string {
	var ae *apiError
	if errors.As(err, &ae) && ae != nil {
		return ae.Code
	}
	return ""
}
