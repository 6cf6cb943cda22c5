package emulator

import "time"

// The emulator clock is the wall clock plus Options.ClockOffset plus every
// AdvanceClock so far. Signature timestamps are checked against the wall
// clock instead, so that moving the emulator clock never rejects real clients.

func (e *Emulator) wallNow() time.Time { return time.Now().UTC() }

func (e *Emulator) nowLocked() time.Time {
	return time.Now().UTC().Add(e.opts.ClockOffset + e.st.Advanced).Round(0)
}

// Now returns the emulator's current time.
func (e *Emulator) Now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.nowLocked()
}

// AdvanceClock moves the emulator clock forward by d (negative values are
// ignored) and runs everything that falls due, such as auto-releases.
func (e *Emulator) AdvanceClock(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d > 0 {
		e.st.Advanced += d
	}
	e.fireDueLocked(e.nowLocked())
	_ = e.saveLocked()
}

// Tick fires due auto-releases on the current clock; the command calls it
// periodically so releases happen even when no request arrives.
func (e *Emulator) Tick() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fireDueLocked(e.nowLocked())
}

// fireDueLocked releases every instance whose auto-release time has passed.
// Deletion protection does not stop an auto-release.
func (e *Emulator) fireDueLocked(now time.Time) {
	if e.nextDue.IsZero() || now.Before(e.nextDue) {
		return
	}
	for _, in := range e.st.Instances {
		if !in.AutoRelease.IsZero() && !now.Before(in.AutoRelease) {
			e.logf("auto-release %s (due %s)", in.ID, in.AutoRelease.Format(time.RFC3339))
			e.releaseInstanceLocked(in, now)
		}
	}
	e.recomputeDueLocked()
	_ = e.saveLocked()
}

func (e *Emulator) recomputeDueLocked() {
	e.nextDue = time.Time{}
	for _, in := range e.st.Instances {
		if !in.AutoRelease.IsZero() && (e.nextDue.IsZero() || in.AutoRelease.Before(e.nextDue)) {
			e.nextDue = in.AutoRelease
		}
	}
}
