// Package emulator is a local stand-in for the Alibaba Cloud ECS API (RPC
// style, version 2014-05-26), so that the provider, the official SDKs and
// their tests run without a cloud account. It checks request signatures (v1
// and v3), keeps instances, disks, snapshots and snapshot groups whose status
// changes follow a clock that tests can move, and answers with the service's
// JSON (or XML) shapes and error codes.
//
// In a test, serve it with net/http/httptest and point the client at the
// server's address, with the access key "emulator" and the secret
// "emulator-secret":
//
//	e, err := emulator.New(emulator.Options{}) // the zero Options are fine
//	srv := httptest.NewServer(e)               // ECS API on "/", admin API under /_emulator/
//	...
//	e.AdvanceClock(45 * time.Minute)           // finish boots and snapshots, fire due auto-releases
//	e.AddFault(emulator.Fault{Action: "RunInstances", Code: "Throttling"})
//	st := e.State()                            // every resource, as the API shows it
//	n := e.Calls()["DescribeInstances"]        // how many calls reached it
//
// Outside tests, run the command: go run ./cmd/ecs-emulator. README.md in
// this directory documents the wire protocol, the admin API, the faults, the
// seeded catalog and the behaviour the emulator implements.
//
// The package imports nothing from the provider: it implements the service's
// rules on its own, so that a mistake in a client is caught, not mirrored.
package emulator

import (
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Credential is an access key the emulator accepts. SecurityToken "" means a
// plain AccessKey; otherwise requests must carry exactly this STS token.
type Credential struct{ AccessKeyID, AccessKeySecret, SecurityToken string }

// Options configure an Emulator. The zero value is usable.
type Options struct {
	Credentials []Credential // default: one {emulator, emulator-secret}
	// STS configures the STS actions and the instance metadata service (sts.go).
	STS STSOptions
	// Transition times; 0 = the transition completes at once.
	BootTime, StopTime, SnapshotTime time.Duration
	StateFile                        string // "" = memory only
	ClockOffset                      time.Duration
	Logf                             func(format string, args ...any) // nil = silent
	// Seed seeds the fault-probability RNG (0 = a fixed default seed).
	Seed uint64
	// InvisibleFor hides every new instance from DescribeInstances and
	// DescribeInstanceStatus for this long after RunInstances/CreateInstance
	// (eventual consistency); the invisible_for_ms fault does it per call.
	InvisibleFor time.Duration
	// GracefulStopTime is how long a StopInstance without ForceStop keeps
	// the instance Stopping while its guest shuts down; 0 = StopTime. A long
	// value models a guest that ignores the shutdown request: only a forced
	// stop (ForceStop=true, which takes StopTime) brings it down sooner.
	GracefulStopTime time.Duration
	// AllowRemote serves requests whatever their Host header says; without
	// it only localhost and loopback Host values are served (DNS rebinding).
	// It requires AdminToken and a key secret other than the default one.
	AllowRemote bool
	// CallLogSize is how many records CallLog keeps, the newest (default
	// DefaultCallLogSize); Calls counts every call whatever it is.
	CallLogSize int
	// AdminToken, when set, is required on every admin request
	// (Authorization: Bearer <token>), which is then served to any client
	// address; when empty the admin API answers loopback clients only.
	AdminToken string
	// ImageTime is how long CreateImage keeps an image Creating before it is
	// Available (CreateFailed with the async_failure fault); 0 = at once.
	ImageTime time.Duration
}

// DefaultAccessKeyID and DefaultAccessKeySecret are the credentials used
// when Options.Credentials is empty.
const (
	DefaultAccessKeyID     = "emulator"
	DefaultAccessKeySecret = "emulator-secret"
)

// Emulator serves the ECS API and the admin API. It is safe for concurrent use.
type Emulator struct {
	opts   Options
	creds  map[string]Credential
	nonces *nonceCache
	sts    *stsState // STS and metadata (sts.go, metadata.go)

	mu      sync.Mutex // guards st, regions, nextDue and state-file writes
	st      *store
	regions map[string]*regionCatalog
	nextDue time.Time // earliest auto-release; zero = none

	callsMu sync.Mutex
	calls   map[string]int
	callLog callRing

	// fpKey keys the in-memory fingerprint of secret parameters
	// (idempotency.go); it is drawn for each run and never stored.
	fpKey []byte

	faultsMu sync.Mutex
	faults   []*faultState
	rng      *rand.Rand
}

// New creates an emulator, loading Options.StateFile when it exists.
func New(opts Options) (*Emulator, error) {
	if len(opts.Credentials) == 0 {
		opts.Credentials = []Credential{{AccessKeyID: DefaultAccessKeyID, AccessKeySecret: DefaultAccessKeySecret}}
	}
	e := &Emulator{
		opts:    opts,
		creds:   make(map[string]Credential, len(opts.Credentials)),
		nonces:  newNonceCache(maxNonceEntries, maxNonceCacheBytes),
		st:      newStore(),
		regions: map[string]*regionCatalog{},
		calls:   map[string]int{},
		callLog: newCallRing(opts.CallLogSize),
		fpKey:   make([]byte, 32),
	}
	if _, err := cryptorand.Read(e.fpKey); err != nil {
		return nil, fmt.Errorf("emulator: drawing the fingerprint key: %w", err)
	}
	for _, c := range opts.Credentials {
		if c.AccessKeyID == "" || c.AccessKeySecret == "" {
			return nil, errors.New("emulator: a credential needs an access key id and a secret")
		}
		if opts.AllowRemote && c.AccessKeySecret == DefaultAccessKeySecret {
			return nil, errors.New("emulator: AllowRemote refuses the public default key secret: choose a secret of your own")
		}
		e.creds[c.AccessKeyID] = c
	}
	if opts.ClockOffset > maxClockShift || opts.ClockOffset < -maxClockShift {
		return nil, fmt.Errorf("emulator: the clock offset %s is beyond %s (100 years)", opts.ClockOffset, durationText(maxClockShift))
	}
	if opts.AllowRemote && opts.AdminToken == "" {
		return nil, errors.New("emulator: AllowRemote requires an AdminToken")
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 20140526
	}
	e.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	sts, err := newSTSState(opts.STS)
	if err != nil {
		return nil, err
	}
	e.sts = sts
	for _, r := range seededRegions {
		e.regions[r.RegionId] = buildRegion(r.RegionId)
	}
	if opts.StateFile != "" {
		if err := e.load(); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Close flushes the state file. The emulator keeps serving afterwards.
func (e *Emulator) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.saveLocked()
}

func (e *Emulator) logf(format string, args ...any) {
	if e.opts.Logf != nil {
		e.opts.Logf(format, args...)
	}
}

// Calls returns the number of API calls per action since start or reset.
func (e *Emulator) Calls() map[string]int {
	e.callsMu.Lock()
	defer e.callsMu.Unlock()
	out := make(map[string]int, len(e.calls))
	for k, v := range e.calls {
		out[k] = v
	}
	return out
}

// ResetCalls zeroes the call counters.
func (e *Emulator) ResetCalls() {
	e.callsMu.Lock()
	e.calls = map[string]int{}
	e.callLog.reset()
	e.callsMu.Unlock()
}

func (e *Emulator) countCall(action string) {
	e.callsMu.Lock()
	e.calls[action]++
	e.callsMu.Unlock()
}

// Reset empties instances, disks, snapshots, groups, tokens, faults and
// counters. The catalog and the clock stay.
func (e *Emulator) Reset() {
	e.mu.Lock()
	adv := e.st.Advanced
	e.st = newStore()
	e.st.Advanced = adv
	e.nextDue = time.Time{}
	_ = e.saveLocked()
	e.mu.Unlock()
	e.ClearFaults()
	e.ResetCalls()
	e.nonces.reset()
}

// ServeHTTP serves the ECS API on "/" and the admin API under /_emulator/.
// Every path first passes the rules of refusal (Host, Origin,
// Sec-Fetch-Site), before any body is read.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	admin := strings.HasPrefix(r.URL.Path, "/_emulator/") || r.URL.Path == "/_emulator"
	reqID := newRequestID()
	if why := e.refusal(r); why != "" {
		e.logf("%s %s 403 refused: %s (Host %s, Origin %s)", r.Method, quoteShort(r.URL.Path), why,
			quoteShort(r.Host), quoteShort(r.Header.Get("Origin")))
		if admin {
			adminError(w, http.StatusForbidden, why)
			return
		}
		w.Header().Set("x-acs-request-id", reqID)
		writeBody(w, "JSON", "Error", http.StatusForbidden,
			newErrorBody(reqID, "", newErr(http.StatusForbidden, "Forbidden.EmulatorRefused", "%s", why)))
		return
	}
	// Answers carry the emulator's clock, moved or not, as the service's
	// carry its own: clients learn the service's time from Date.
	w.Header().Set("Date", e.Now().Format(http.TimeFormat))
	if admin {
		e.serveAdmin(w, r)
		return
	}
	start := time.Now()
	w.Header().Set("x-acs-request-id", reqID)
	action, status, code := e.serveAPI(w, r, reqID)
	e.logf("%s %s %d %s %s", r.Method, orDash(action), status, orDash(code), time.Since(start).Round(time.Microsecond))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// serveAPI handles one API request and reports what it answered, for the log.
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request, reqID string) (string, int, string) {
	fail := func(format string, ae *apiError) (string, int, string) {
		writeBody(w, format, "Error", ae.Status, newErrorBody(reqID, r.Host, ae))
		return "", ae.Status, ae.Code
	}
	if isMetadataPath(r.URL.Path) {
		return e.serveMetadata(w, r)
	}
	if r.URL.Path != "/" && r.URL.Path != "" {
		return fail("JSON", newErr(http.StatusNotFound, "InvalidAction.NotFound",
			"Specified api is not found, please check your url and method"))
	}
	req, ae := readRequest(r)
	if ae != nil {
		return fail("JSON", ae)
	}
	handle := e.handle
	if req.version == stsVersion && req.action != "" {
		handle = e.handleSTS // sts.go
	}
	res, ae := handle(r, w, req, reqID)
	if ae == errConnectionReset {
		return req.action, 0, "connection-reset"
	}
	if ae != nil {
		writeBody(w, req.format, "Error", ae.Status, newErrorBody(reqID, r.Host, ae))
		return req.action, ae.Status, ae.Code
	}
	res["RequestId"] = reqID
	writeBody(w, req.format, req.action+"Response", http.StatusOK, res)
	return req.action, http.StatusOK, ""
}

// errConnectionReset tells serveAPI that a fault already hijacked and closed
// the connection.
var errConnectionReset = &apiError{Code: "connection-reset"}

// handle runs the gateway checks (version, action, signature, nonce), the
// faults, then the action under the state lock.
func (e *Emulator) handle(r *http.Request, w http.ResponseWriter, req *request, reqID string) (res map[string]any, ae *apiError) {
	if req.action == "" {
		return nil, errMissing("Action")
	}
	spec, ok := actionsFor(req.version)[req.action]
	if !ok {
		return nil, newErr(http.StatusNotFound, "InvalidAction.NotFound",
			"Specified api is not found, please check your url and method")
	}
	if req.version == "" {
		return nil, errMissing("Version")
	}
	if req.version != apiVersion && req.version != vpcAPIVersion {
		return nil, newErr(http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid.")
	}
	// Authenticate first: an unsigned or badly signed request is answered
	// and forgotten, never counted or logged, so a flood of them costs no
	// memory. A request whose signature verified but whose token is refused
	// (expired, another key's, an STS-only key) is counted like any call.
	v, sigErr := e.verifyRequest(req, true)
	if sigErr != nil && !refusedAfterSignature(sigErr) {
		return nil, sigErr
	}
	e.countCall(req.action)
	recs := callRecords(req.action, params(req.params), e.Now())
	defer func() {
		for _, rec := range recs {
			if ae != nil {
				rec.Code = ae.Code
			}
			e.logCall(rec)
		}
	}()
	if sigErr != nil {
		return nil, sigErr
	}
	if !e.nonces.use(v.AccessKeyID+"\n"+v.Nonce, time.Now()) {
		return nil, newErr(http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already.")
	}
	eff := e.fireFaults(req.action)
	if eff.delay > 0 {
		select {
		case <-time.After(eff.delay):
		case <-r.Context().Done():
			return nil, errConnectionReset
		}
	}
	if eff.reset {
		resetConnection(w)
		return nil, errConnectionReset
	}
	if eff.err != nil {
		return nil, eff.err
	}
	c := &call{e: e, req: req, p: params(req.params), fx: eff, reqID: reqID}
	e.mu.Lock()
	defer e.mu.Unlock()
	c.now = e.nowLocked()
	e.fireDueLocked(c.now)
	for i := range recs {
		rec := &recs[i]
		rec.At = c.now
		if rec.InstanceID != "" {
			rec.Groups = e.groupStatusesLocked(rec.InstanceID, c.now)
			if in := e.st.Instances[rec.InstanceID]; in != nil {
				rec.InstanceStatus = in.status(c.now)
			}
		}
	}
	if spec.region || c.p.str("RegionId") != "" {
		if ae := c.resolveRegion(); ae != nil {
			return nil, ae
		}
	}
	res, ae = spec.h(c)
	if c.dirty {
		if err := e.saveLocked(); err != nil {
			// A success answer promises the change survives a restart: without
			// it on disk, answer as the service does when it fails after acting.
			e.logf("state file: %v", err)
			return nil, newErr(http.StatusInternalServerError, "InternalError",
				"The request processing has failed due to some unknown error, exception or failure.")
		}
	}
	if eff.loseResponse {
		resetConnection(w)
		return nil, errConnectionReset
	}
	if ae != nil {
		return nil, ae
	}
	return res, nil
}

// resetConnection hijacks the connection and closes it without a response,
// which clients see as a transport error. Where hijacking is impossible
// (HTTP/2, recorders) it aborts the handler the way net/http documents.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // net/http closes the connection quietly
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// refusedAfterSignature reports a refusal that comes after the signature
// verified: the caller holds the key's secret.
func refusedAfterSignature(ae *apiError) bool {
	return strings.HasPrefix(ae.Code, "InvalidSecurityToken.") || ae.Code == "Forbidden.RAM"
}
