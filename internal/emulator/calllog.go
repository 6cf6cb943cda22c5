package emulator

import (
	"strings"
	"time"
)

// CallRecord is one API call in the order the emulator handled it. Tests use
// it to check what happened before what (a snapshot group accomplished
// before its instance was released), which call counts cannot tell.
type CallRecord struct {
	Seq        int       // 1, 2, … in handling order
	Action     string    // the API action
	InstanceID string    // the InstanceId parameter, "" when absent
	Code       string    // the error code answered, "" on success
	At         time.Time // the emulator clock when the call ran
	// Groups is the status of every snapshot group of InstanceID at the
	// moment the action ran (before it took effect); nil when the call
	// failed before reaching the state (signature, fault) or has no
	// InstanceId.
	Groups map[string]string
	// InstanceStatus is the status of InstanceID when the action ran (before
	// it took effect); "" when the instance does not exist or Groups is nil.
	InstanceStatus string
	// ForceStop is the ForceStop parameter as sent (StopInstance,
	// RebootInstance, DeleteInstance), "" when absent.
	ForceStop string
}

// DefaultCallLogSize is how many records CallLog keeps by default.
const DefaultCallLogSize = 10000

// maxRecordValue bounds the parameter values a record keeps (ids are about
// 22 characters).
const maxRecordValue = 128

// recordValue is a parameter value as a record keeps it: a copy (never the
// request's buffer), cut at maxRecordValue bytes.
func recordValue(s string) string {
	if len(s) > maxRecordValue {
		s = s[:maxRecordValue]
	}
	return strings.Clone(s)
}

// callRing holds the newest records; seq numbers every record ever logged.
type callRing struct {
	buf  []CallRecord
	next int // where the next record goes once buf is full
	seq  int
	size int
}

func newCallRing(size int) callRing {
	if size <= 0 {
		size = DefaultCallLogSize
	}
	return callRing{size: size}
}

func (r *callRing) add(rec CallRecord) {
	r.seq++
	rec.Seq = r.seq
	if len(r.buf) < r.size {
		r.buf = append(r.buf, rec)
		return
	}
	r.buf[r.next] = rec
	r.next = (r.next + 1) % r.size
}

// records returns the records oldest first.
func (r *callRing) records() []CallRecord {
	out := make([]CallRecord, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

func (r *callRing) reset() {
	r.buf, r.next, r.seq = nil, 0, 0
}

// CallLog returns the newest calls since start or the last ResetCalls (at
// most Options.CallLogSize), in order. Seq numbers every call, so a first
// Seq above 1 shows that older records were dropped; Calls keeps exact
// counts.
func (e *Emulator) CallLog() []CallRecord {
	e.callsMu.Lock()
	defer e.callsMu.Unlock()
	out := e.callLog.records()
	for i, r := range out {
		if r.Groups != nil {
			out[i].Groups = make(map[string]string, len(r.Groups))
			for k, v := range r.Groups {
				out[i].Groups[k] = v
			}
		}
	}
	return out
}

// callRecords are the records of one call: one, or one per instance of a
// call on many (DeleteInstances: InstanceId.N), so that a check of what
// happened to an instance sees every call that acted on it.
func callRecords(action string, p params, at time.Time) []CallRecord {
	base := CallRecord{Action: action, At: at, ForceStop: recordValue(p.str("ForceStop"))}
	ids := []string{p.str("InstanceId")}
	if many := p.list("InstanceId"); ids[0] == "" && len(many) > 0 {
		ids = many[:min(len(many), 100)]
	}
	recs := make([]CallRecord, len(ids))
	for i, id := range ids {
		recs[i] = base
		recs[i].InstanceID = recordValue(id)
	}
	return recs
}

func (e *Emulator) logCall(r CallRecord) {
	e.callsMu.Lock()
	e.callLog.add(r)
	e.callsMu.Unlock()
}

// groupStatusesLocked is the status of every snapshot group of an instance.
func (e *Emulator) groupStatusesLocked(instanceID string, now time.Time) map[string]string {
	out := map[string]string{}
	for _, g := range e.st.Groups {
		if g.InstanceID == instanceID {
			out[g.ID] = e.groupStatusLocked(g, now)
		}
	}
	return out
}
