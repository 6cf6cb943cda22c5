package emulator

import (
	"fmt"
	"net/http"
)

// apiError is a service error: the HTTP status, Code and Message the real
// gateway returns for it. serveAPI writes it as the error document
// {RequestId, HostId, Code, Message, Recommend} (README, "Answers").
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func newErr(status int, code, format string, args ...any) *apiError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &apiError{Status: status, Code: code, Message: msg}
}

func errMissing(name string) *apiError {
	return newErr(http.StatusBadRequest, "MissingParameter",
		"The input parameter %q that is mandatory for processing this request is not supplied.", name)
}

func errInvalidParam(name string) *apiError {
	return newErr(http.StatusBadRequest, "InvalidParameter", "The specified parameter %q is not valid.", name)
}

func errInstanceNotFound() *apiError {
	return newErr(http.StatusNotFound, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
}

func errIncorrectInstanceStatus() *apiError {
	return newErr(http.StatusForbidden, "IncorrectInstanceStatus",
		"The current status of the resource does not support this operation.")
}

func errDryRun() *apiError {
	return newErr(http.StatusBadRequest, "DryRunOperation", "Request validation has been passed with DryRun flag set.")
}

func errIdempotentMismatch() *apiError {
	return newErr(http.StatusForbidden, "IdempotentParameterMismatch", "The specified clientToken is used.")
}
