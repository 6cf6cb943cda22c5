package ecsapi

import (
	"sync"
	"time"
)

// endpointDown remembers, per endpoint of one client (ECS, VPC), that it
// refused connections past Config.RefusedRetryFor: for that long again,
// calls to it fail at once with the same error instead of each retrying
// "refused" in turn (a plan's reference checks cost 2 s each). It is known
// per provider process only and kept short, so a service that comes back
// is seen within seconds.
type endpointDown struct {
	mu    sync.Mutex
	until [2]time.Time // index: 0 ECS, 1 VPC
	err   [2]*APIError
}

func downIndex(vpc bool) int {
	if vpc {
		return 1
	}
	return 0
}

// mark records err (a refusal past the retry window) until until.
func (d *endpointDown) mark(vpc bool, err *APIError, until time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := *err
	d.until[downIndex(vpc)], d.err[downIndex(vpc)] = until, &e
}

// known returns a copy of the remembered error for action when the
// endpoint is known to be down at now, else nil.
func (d *endpointDown) known(vpc bool, action string, now time.Time) *APIError {
	d.mu.Lock()
	defer d.mu.Unlock()
	i := downIndex(vpc)
	if d.err[i] == nil || !now.Before(d.until[i]) {
		return nil
	}
	e := *d.err[i]
	e.Action = action
	return &e
}

// IsEndpointDown reports an error that says the endpoint refused
// connections past the retry window, or that it was known to (the call then
// made no attempt). Callers report it once, not once per call.
func IsEndpointDown(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.endpointDown
}
