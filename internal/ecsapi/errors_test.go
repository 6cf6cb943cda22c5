package ecsapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestClassification(t *testing.T) {
	cases := []struct {
		err                                       error
		notFound, wrongState, throttle, transient bool
	}{
		{err: &APIError{Code: "InvalidInstanceId.NotFound", HTTPStatus: 404}, notFound: true},
		{err: &APIError{Code: "Forbidden.InstanceNotFound", HTTPStatus: 403}, notFound: true},
		{err: &APIError{Code: "NoSuchResource", HTTPStatus: 404}, notFound: true},
		{err: &APIError{Code: "InvalidResourceId.NotFound", HTTPStatus: 404}, notFound: true},
		{err: &APIError{Code: "InvalidSnapshotId.NotFound", HTTPStatus: 404}, notFound: true},
		{err: &APIError{Code: "InvalidSnapshotGroupId.NotFound", HTTPStatus: 404}, notFound: true},
		// Bad input on RunInstances, not "the resource is gone".
		{err: &APIError{Code: "InvalidImageId.NotFound", HTTPStatus: 404}},
		{err: &APIError{Code: "InvalidVSwitchId.NotFound", HTTPStatus: 403}},
		{err: &APIError{Code: "InvalidSecurityGroupId.NotFound", HTTPStatus: 400}},
		{err: &APIError{Code: "InvalidZoneId.NotFound", HTTPStatus: 404}},
		{err: &APIError{Code: "InvalidAccessKeyId.NotFound", HTTPStatus: 404}},
		{err: &APIError{Code: "InvalidAction.NotFound", HTTPStatus: 404}},
		{err: &APIError{Code: "IncorrectInstanceStatus", HTTPStatus: 403}, wrongState: true},
		{err: &APIError{Code: "IncorrectInstanceStatus.Initializing", HTTPStatus: 403}, wrongState: true},
		{err: &APIError{Code: "IncorrectDiskStatus", HTTPStatus: 403}},
		{err: &APIError{Code: "Throttling", HTTPStatus: 400}, throttle: true},
		{err: &APIError{Code: "Throttling.User", HTTPStatus: 400}, throttle: true},
		{err: &APIError{Code: "Throttling.Api", HTTPStatus: 400}, throttle: true},
		{err: &APIError{Code: "Rejected.Throttling", HTTPStatus: 400}, throttle: true},
		{err: &APIError{Code: "ServiceUnavailable", HTTPStatus: 503}, transient: true},
		{err: &APIError{Code: "InternalError", HTTPStatus: 500}, transient: true},
		{err: &APIError{Code: "", HTTPStatus: 502, Message: "<html>bad gateway</html>"}, transient: true},
		{err: &APIError{Transport: true, Message: "connection refused"}, transient: true},
		{err: &APIError{Transport: true, Timeout: true}, transient: true},
		{err: &APIError{Transport: true, cause: context.Canceled}}, // our own cancellation
		{err: &APIError{Code: "InvalidParameter", HTTPStatus: 400}},
		{err: &APIError{Code: "InvalidAutoReleaseTime.Malformed", HTTPStatus: 400}},
		{err: &APIError{Code: "IdempotentParameterMismatch", HTTPStatus: 403}},
		{err: fmt.Errorf("wrapped: %w", &APIError{Code: "InvalidInstanceId.NotFound"}), notFound: true},
		{err: errors.New("plain error")},
		{err: nil},
	}
	for _, tc := range cases {
		name := fmt.Sprint(tc.err)
		if got := IsNotFound(tc.err); got != tc.notFound {
			t.Errorf("IsNotFound(%s) = %v", name, got)
		}
		if got := IsWrongState(tc.err); got != tc.wrongState {
			t.Errorf("IsWrongState(%s) = %v", name, got)
		}
		if got := IsThrottling(tc.err); got != tc.throttle {
			t.Errorf("IsThrottling(%s) = %v", name, got)
		}
		if got := IsTransient(tc.err); got != tc.transient {
			t.Errorf("IsTransient(%s) = %v", name, got)
		}
	}
}

func TestErrorCodeAndText(t *testing.T) {
	err := error(&APIError{Action: "DescribeInstances", Code: "InvalidParameter", Message: "The specified parameter InstanceIds is not valid.", RequestID: "ABC-123", HTTPStatus: 400})
	want := "ECS DescribeInstances failed: InvalidParameter: The specified parameter InstanceIds is not valid. (request id ABC-123)"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if ErrorCode(fmt.Errorf("x: %w", err)) != "InvalidParameter" {
		t.Errorf("ErrorCode through wrapping = %q", ErrorCode(err))
	}
	if ErrorCode(errors.New("x")) != "" {
		t.Error("ErrorCode of a foreign error should be empty")
	}
	transport := &APIError{Action: "StartInstance", Transport: true, Message: "dial tcp: refused"}
	if !strings.HasPrefix(transport.Error(), "ECS StartInstance failed: transport error: ") {
		t.Errorf("transport text = %q", transport.Error())
	}
	if !errors.Is(&APIError{cause: context.DeadlineExceeded}, context.DeadlineExceeded) {
		t.Error("APIError should unwrap to its context cause")
	}
}

func TestServerErrorIsParsed(t *testing.T) {
	f := newFakeECS(t, func(c fakeCall) (int, any) {
		return apiError(403, "IncorrectInstanceStatus", "The current status of the resource does not support this operation.")
	})
	c, _ := f.newTestClient(t)
	err := c.StartInstance(context.Background(), "i-1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want *APIError, got %T %v", err, err)
	}
	if apiErr.Code != "IncorrectInstanceStatus" || apiErr.HTTPStatus != 403 || apiErr.RequestID != "REQ-ERR" || apiErr.Action != "StartInstance" {
		t.Errorf("parsed %+v", apiErr)
	}
	if !IsWrongState(err) {
		t.Error("IsWrongState should hold")
	}
	if n := len(f.callsOf("StartInstance")); n != 1 {
		t.Errorf("a permanent error must not be retried: %d calls", n)
	}
}
