package emulator

import (
	"net/http"
	"time"
)

// Fault is an injected failure; it mirrors the JSON of POST /_emulator/faults.
// Every field is optional. Action "" or "*" matches every action.
type Fault struct {
	Action      string  `json:"action,omitempty"`
	Code        string  `json:"code,omitempty"`
	Message     string  `json:"message,omitempty"`
	HTTPStatus  int     `json:"http_status,omitempty"` // default 400 (500 for InternalError, 503 for ServiceUnavailable)
	Probability float64 `json:"probability,omitempty"` // 0 or absent = always
	Count       int     `json:"count,omitempty"`       // 0 or absent = unlimited
	DelayMS     int     `json:"delay_ms,omitempty"`
	// AsyncFailure makes a snapshot group or snapshot created by the call end in "failed".
	AsyncFailure bool `json:"async_failure,omitempty"`
	// InvisibleForMS / InvisibleForCalls hide instances created by the call
	// from DescribeInstances and DescribeInstanceStatus (eventual consistency).
	InvisibleForMS    int `json:"invisible_for_ms,omitempty"`
	InvisibleForCalls int `json:"invisible_for_calls,omitempty"`
	// ResetConnection closes the connection without a response.
	ResetConnection bool `json:"reset_connection,omitempty"`
	// LoseResponse runs the action, then closes the connection without the
	// answer: the call took effect but the client cannot know it (the case
	// ClientToken and the settled-retry rules exist for).
	LoseResponse bool `json:"lose_response,omitempty"`
}

type faultState struct {
	Fault
	fired int
}

// faultEffects is what the faults that fired on one call ask for.
type faultEffects struct {
	delay          time.Duration
	reset          bool
	loseResponse   bool
	err            *apiError
	asyncFailure   bool
	invisibleFor   time.Duration
	invisibleCalls int
}

// AddFault installs a fault.
func (e *Emulator) AddFault(f Fault) {
	e.faultsMu.Lock()
	defer e.faultsMu.Unlock()
	e.faults = append(e.faults, &faultState{Fault: f})
}

// ClearFaults removes every fault.
func (e *Emulator) ClearFaults() {
	e.faultsMu.Lock()
	defer e.faultsMu.Unlock()
	e.faults = nil
}

// Faults lists the installed faults with how often each has fired.
func (e *Emulator) Faults() []FaultStatus {
	e.faultsMu.Lock()
	defer e.faultsMu.Unlock()
	out := make([]FaultStatus, 0, len(e.faults))
	for _, f := range e.faults {
		out = append(out, FaultStatus{Fault: f.Fault, Fired: f.fired})
	}
	return out
}

// FaultStatus is a fault with its firing count.
type FaultStatus struct {
	Fault
	Fired int `json:"fired"`
}

// fireFaults rolls every matching fault (with the seeded RNG) and combines
// the effects of those that fire; the first error code wins.
func (e *Emulator) fireFaults(action string) faultEffects {
	var fx faultEffects
	e.faultsMu.Lock()
	defer e.faultsMu.Unlock()
	for _, f := range e.faults {
		if f.Action != "" && f.Action != "*" && f.Action != action {
			continue
		}
		if f.Count > 0 && f.fired >= f.Count {
			continue
		}
		if f.Probability > 0 && f.Probability < 1 && e.rng.Float64() >= f.Probability {
			continue
		}
		f.fired++
		fx.delay += time.Duration(f.DelayMS) * time.Millisecond
		fx.reset = fx.reset || f.ResetConnection
		fx.loseResponse = fx.loseResponse || f.LoseResponse
		fx.asyncFailure = fx.asyncFailure || f.AsyncFailure
		if f.InvisibleForMS > 0 {
			fx.invisibleFor = time.Duration(f.InvisibleForMS) * time.Millisecond
		}
		if f.InvisibleForCalls > 0 {
			fx.invisibleCalls = f.InvisibleForCalls
		}
		if f.Code != "" && fx.err == nil {
			fx.err = faultError(f.Fault)
		}
	}
	return fx
}

var knownFaultMessages = map[string]string{
	"Throttling":         "Request was denied due to request throttling.",
	"Throttling.User":    "Request was denied due to user flow control.",
	"Throttling.Api":     "Request was denied due to api flow control.",
	"ServiceUnavailable": "The request has failed due to a temporary failure of the server.",
	"InternalError":      "The request processing has failed due to some unknown error, exception or failure.",
}

func faultError(f Fault) *apiError {
	status := f.HTTPStatus
	if status == 0 {
		switch f.Code {
		case "InternalError":
			status = http.StatusInternalServerError
		case "ServiceUnavailable":
			status = http.StatusServiceUnavailable
		default:
			status = http.StatusBadRequest
		}
	}
	if status < 400 || status > 599 {
		status = http.StatusBadRequest
	}
	msg := f.Message
	if msg == "" {
		msg = knownFaultMessages[f.Code]
	}
	if msg == "" {
		msg = "Injected fault."
	}
	return &apiError{Status: status, Code: f.Code, Message: msg}
}
