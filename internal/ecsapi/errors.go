package ecsapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
)

// APIError is a failed ECS call: a service error (Code set), a transport
// error (Transport set) or a client-side SDK error. Its text is redacted.
type APIError struct {
	// Service is "STS" for STS calls; "" means ECS.
	Service    string
	Action     string
	Code       string
	Message    string
	RequestID  string
	HTTPStatus int
	// Transport is set when no HTTP response was received (connection
	// refused, reset, timeout); Timeout when that was a timeout.
	Transport bool
	Timeout   bool
	// Failure classifies a transport error (see TransportFailure).
	Failure TransportFailure

	httpOnHTTPS bool // a TLS handshake answered by a plain HTTP server
	explained   bool // Message already names the endpoint (explainTransport)
	// endpointDown: refused past the retry window (see IsEndpointDown).
	endpointDown bool

	// cause is context.Canceled or context.DeadlineExceeded when the call
	// was cut short by its context; raw SDK errors are never kept because
	// their text carries the signed URL.
	cause error
}

func (e *APIError) Error() string {
	var b strings.Builder
	svc := e.Service
	if svc == "" {
		svc = "ECS"
	}
	fmt.Fprintf(&b, "%s %s failed: ", svc, e.Action)
	switch {
	case e.Transport:
		b.WriteString("transport error: ")
		b.WriteString(e.Message)
	case e.Code != "":
		b.WriteString(e.Code)
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	case e.HTTPStatus != 0:
		fmt.Fprintf(&b, "HTTP %d: %s", e.HTTPStatus, e.Message)
	default:
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// Unwrap exposes a context error so errors.Is(err, context.DeadlineExceeded) works.
func (e *APIError) Unwrap() error { return e.cause }

// SnapshotFailedError reports a snapshot group that ended in the "failed" status.
type SnapshotFailedError struct {
	SnapshotGroupID string
	// FailedSnapshotIDs lists the group's snapshots reported as failed.
	FailedSnapshotIDs []string
}

func (e *SnapshotFailedError) Error() string {
	msg := fmt.Sprintf("snapshot group %s failed", e.SnapshotGroupID)
	if len(e.FailedSnapshotIDs) > 0 {
		msg += fmt.Sprintf(" (failed snapshots: %s)", strings.Join(e.FailedSnapshotIDs, ", "))
	}
	return msg
}

// WaitTimeoutError says what a waiter waited for, what it last saw and for how long.
type WaitTimeoutError struct {
	What       string // e.g. "instance i-abc to reach status Running"
	LastStatus string // "" when no poll succeeded
	Waited     time.Duration
	LastErr    error // the last poll error, if the last poll failed
	cause      error
}

func (e *WaitTimeoutError) Error() string {
	last := e.LastStatus
	if last == "" {
		last = "unknown"
	}
	ended := "timed out"
	if e.Interrupted() {
		ended = "interrupted" // Ctrl-C: Terraform cancelled the call, no deadline passed
	}
	msg := fmt.Sprintf("%s after %s waiting for %s (last status: %s)", ended, e.Waited.Round(time.Millisecond), e.What, last)
	if e.LastErr != nil {
		msg += "; last error: " + e.LastErr.Error()
	}
	return msg
}

// Unwrap returns the context's error (usually context.DeadlineExceeded).
func (e *WaitTimeoutError) Unwrap() error { return e.cause }

// Interrupted reports whether the wait ended because its context was
// cancelled (Terraform stops the provider on Ctrl-C) rather than because a
// deadline passed.
func (e *WaitTimeoutError) Interrupted() bool { return errors.Is(e.cause, context.Canceled) }

// notFoundCodes mean "the resource the call addresses does not exist".
// Codes such as InvalidImageId.NotFound or InvalidVSwitchId.NotFound on
// RunInstances are deliberately absent: they are bad input, not a resource
// that has gone, and treating them as "gone" would drop a resource from state.
var notFoundCodes = map[string]bool{
	"InvalidInstanceId.NotFound":      true,
	"Forbidden.InstanceNotFound":      true,
	"NoSuchResource":                  true, // ModifyInstanceAutoReleaseTime on a missing instance
	"InvalidResourceId.NotFound":      true, // TagResources/UntagResources
	"InvalidSnapshotId.NotFound":      true,
	"InvalidSnapshotGroupId.NotFound": true,
	"InvalidSnapshotGroup.NotFound":   true,
	// DescribeAutoSnapshotPolicyEx answers an unknown id with an empty
	// list; the other policy actions' code is unverified.
	"InvalidAutoSnapshotPolicyId.NotFound": true,
}

// transientCodes are service errors worth retrying.
var transientCodes = map[string]bool{
	"ServiceUnavailable": true,
	"InternalError":      true,
	"UnknownError":       true,
	"SDK.TimeoutError":   true,
	// The same ClientToken is still being processed: retrying later with
	// the same token is exactly what the service asks for.
	"IdempotentProcessing": true,
}

func asAPIError(err error) (*APIError, bool) {
	var apiErr *APIError
	ok := errors.As(err, &apiErr)
	return apiErr, ok
}

// ErrorCode returns the ECS error code of err, or "".
func ErrorCode(err error) string {
	if e, ok := asAPIError(err); ok {
		return e.Code
	}
	return ""
}

// IsNotFound reports whether err says the addressed resource does not exist.
func IsNotFound(err error) bool {
	e, ok := asAPIError(err)
	return ok && notFoundCodes[e.Code]
}

// IsWrongState reports an IncorrectInstanceStatus* error: the instance is
// not in a status that allows the operation.
func IsWrongState(err error) bool {
	e, ok := asAPIError(err)
	return ok && strings.HasPrefix(e.Code, "IncorrectInstanceStatus")
}

// IsThrottling reports a flow-control rejection (Throttling*, Rejected.Throttling).
// The request was refused before it acted, so it is always safe to retry.
func IsThrottling(err error) bool {
	e, ok := asAPIError(err)
	if !ok {
		return false
	}
	return strings.HasPrefix(e.Code, "Throttling") || e.Code == "Rejected.Throttling" ||
		strings.HasSuffix(e.Code, ".Throttling")
}

// IsTransient reports a temporary failure: HTTP ≥ 500, ServiceUnavailable,
// InternalError, transport errors and timeouts.
func IsTransient(err error) bool {
	e, ok := asAPIError(err)
	if !ok {
		return false
	}
	if e.cause != nil { // our own context ended: retrying cannot help
		return false
	}
	if e.Transport && (e.Failure == TransportTLS || e.Failure == TransportDNS) {
		return false // cannot succeed by trying again
	}
	return e.Transport || e.HTTPStatus >= 500 || transientCodes[e.Code]
}

// toAPIError converts an SDK error into a redacted *APIError.
func toAPIError(action string, err error, r redactor) *APIError {
	if err == nil {
		return nil
	}
	if e, ok := asAPIError(err); ok {
		return e
	}
	out := &APIError{Action: action}
	var serverErr *sdkerrors.ServerError
	var clientErr *sdkerrors.ClientError
	var urlErr *url.Error
	var netErr net.Error
	var redirectErr *RedirectError
	var tooLarge *AnswerTooLargeError
	switch {
	case errors.As(err, &tooLarge):
		// Not a transport error, and not an HTTP status to classify: an
		// answer we refuse, which no retry changes.
		out.Message = r.redact(tooLarge.Error())
	case errors.As(err, &redirectErr):
		// Not a transport error (it must not be retried): an answer we refuse.
		out.HTTPStatus = redirectErr.Status
		out.Message = r.redact(redirectErr.Error())
	case errors.As(err, &serverErr):
		out.Code = serverErr.ErrorCode()
		out.Message = r.redact(serverErr.Message())
		out.RequestID = serverErr.RequestId()
		out.HTTPStatus = serverErr.HttpStatus()
		if out.Code == "" {
			// Not an ECS JSON body (e.g. a proxy's HTML page): keep it short.
			out.Message = truncate(out.Message, 300)
		}
	case errors.As(err, &urlErr) || errors.As(err, &netErr):
		out.Transport = true
		out.Timeout = netErr != nil && netErr.Timeout() || urlErr != nil && urlErr.Timeout()
		out.Failure, out.httpOnHTTPS = classifyTransport(err)
		out.Message = r.redact(err.Error())
		if urlErr != nil && urlErr.Err != nil {
			// Without "Post <signed URL>: ": the endpoint is named by explainTransport.
			out.Message = r.redact(urlErr.Err.Error())
		}
	case errors.As(err, &clientErr):
		out.Code = clientErr.ErrorCode()
		out.Message = r.redact(clientErr.Message())
		if orig := clientErr.OriginError(); orig != nil {
			out.Message += ": " + r.redact(orig.Error())
		}
	default:
		out.Message = r.redact(err.Error())
	}
	return out
}

// withContextCause marks err as cut short by ctx when ctx has ended. The
// SDK's own read timeout also wraps context.DeadlineExceeded, so only the
// caller's context decides: that timeout stays a retryable transport error.
func withContextCause(ctx context.Context, err *APIError) *APIError {
	if err != nil && ctx.Err() != nil {
		err.cause = ctx.Err()
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// notFoundError is the error of a Get whose Describe call did not return the id.
func notFoundError(action, code, kind, id, requestID string) *APIError {
	return &APIError{
		Action:     action,
		Code:       code,
		Message:    fmt.Sprintf("%s %s does not exist", kind, id),
		RequestID:  requestID,
		HTTPStatus: 404,
	}
}
