package emulator

import "time"

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

// CallLog returns the calls since start or the last ResetCalls, in order.
func (e *Emulator) CallLog() []CallRecord {
	e.callsMu.Lock()
	defer e.callsMu.Unlock()
	out := make([]CallRecord, len(e.callLog))
	for i, r := range e.callLog {
		out[i] = r
		if r.Groups != nil {
			out[i].Groups = make(map[string]string, len(r.Groups))
			for k, v := range r.Groups {
				out[i].Groups[k] = v
			}
		}
	}
	return out
}

func (e *Emulator) logCall(r CallRecord) {
	e.callsMu.Lock()
	r.Seq = len(e.callLog) + 1
	e.callLog = append(e.callLog, r)
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
