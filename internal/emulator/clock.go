package emulator

import (
	"fmt"
	"time"
)

// MaxClockAdvance bounds one clock advance (10 years: the auto-release
// window is 3 years), and maxClockShift the emulator clock's distance from
// the wall clock (100 years, offset and advances together), so that the
// clock can never overflow time.Duration and wrap around to 1734.
const (
	MaxClockAdvance = 10 * 365 * 24 * time.Hour
	maxClockShift   = 100 * 365 * 24 * time.Hour
)

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

// AdvanceClock moves the emulator clock forward by d and runs everything
// that falls due, such as auto-releases. A negative d, or one that
// AdvanceClockBy refuses, does not move the clock (the refusal is logged).
func (e *Emulator) AdvanceClock(d time.Duration) {
	if d < 0 {
		d = 0
	}
	if err := e.AdvanceClockBy(d); err != nil {
		e.logf("AdvanceClock: %v", err)
		e.Tick()
	}
}

// AdvanceClockBy is AdvanceClock that refuses, without moving the clock, a
// negative d, one above MaxClockAdvance, and one that would put the clock
// more than 100 years from the wall clock.
func (e *Emulator) AdvanceClockBy(d time.Duration) error {
	if d < 0 || d > MaxClockAdvance {
		return fmt.Errorf("advance must be a non-negative duration of at most %s (10 years), got %s",
			durationText(MaxClockAdvance), d)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if shift := e.opts.ClockOffset + e.st.Advanced + d; shift > maxClockShift {
		return fmt.Errorf("advance %s would put the emulator clock more than %s (100 years) ahead of the wall clock",
			d, durationText(maxClockShift))
	}
	e.st.Advanced += d
	e.fireDueLocked(e.nowLocked())
	_ = e.saveLocked()
	return nil
}

// durationText writes whole hours as "87600h" (time.Duration says "87600h0m0s").
func durationText(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
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
	if len(e.st.Policies) > 0 || len(e.st.Snapshots) > 0 {
		// Policies run in step with the releases, so a machine released
		// in the middle of a clock jump has no snapshot after its release.
		for !e.nextDue.IsZero() && !now.Before(e.nextDue) {
			t := e.nextDue
			e.runPoliciesLocked(t)
			e.fireDueAtLocked(t)
		}
		e.runPoliciesLocked(now)
	}
	e.fireDueAtLocked(now)
}

// fireDueAtLocked fires the releases and reclaims due at now.
func (e *Emulator) fireDueAtLocked(now time.Time) {
	if e.nextDue.IsZero() || now.Before(e.nextDue) {
		return
	}
	for _, in := range e.st.Instances {
		if !in.AutoRelease.IsZero() && !now.Before(in.AutoRelease) {
			e.logf("auto-release %s (due %s)", in.ID, in.AutoRelease.Format(time.RFC3339))
			e.releaseInstanceLocked(in, now)
		}
	}
	e.fireReclaimsLocked(now) // spot.go
	e.recomputeDueLocked()
	_ = e.saveLocked()
}

func (e *Emulator) recomputeDueLocked() {
	e.nextDue = time.Time{}
	for _, in := range e.st.Instances {
		if !in.AutoRelease.IsZero() && (e.nextDue.IsZero() || in.AutoRelease.Before(e.nextDue)) {
			e.nextDue = in.AutoRelease
		}
		if !in.ReclaimAt.IsZero() && (e.nextDue.IsZero() || in.ReclaimAt.Before(e.nextDue)) {
			e.nextDue = in.ReclaimAt
		}
	}
}
