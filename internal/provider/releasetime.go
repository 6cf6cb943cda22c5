package provider

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// The auto-release window, as ECS enforces it:
// now+30m <= t <= now+3y, UTC, yyyy-MM-ddTHH:mm:ssZ, seconds truncated to the
// minute. Every function here is pure and takes "now", so each boundary is
// unit-tested with fixed times.

const (
	// releaseTimeLayout is the service's format and the one we send.
	releaseTimeLayout = "2006-01-02T15:04:05Z"
	// apiReleaseTimeLayout is how DescribeInstances reports AutoReleaseTime.
	apiReleaseTimeLayout = "2006-01-02T15:04Z"

	releaseWindowMin      = 30 * time.Minute
	releaseWindowMaxYears = 3

	// releaseAfterMax is the longest release_after accepted without knowing
	// "now": three years are never shorter than 3×365 days, so a duration up
	// to it always lands inside the window.
	releaseAfterMax = 3 * 365 * 24 * time.Hour

	// releaseWindowMargin: a time closer than this to either edge of the
	// window gets a warning, since a plan applied a little later fails.
	releaseWindowMargin = 10 * time.Minute

	releaseTimeExample = "2027-01-30T00:00:00Z"
)

// releaseWindow is the range of release times the service accepts at a given
// moment, both ends inclusive.
type releaseWindow struct {
	Now      time.Time
	Earliest time.Time
	Latest   time.Time
}

// releaseWindowAt returns the window the service applies at now.
func releaseWindowAt(now time.Time) releaseWindow {
	now = now.UTC()
	return releaseWindow{
		Now:      now,
		Earliest: now.Add(releaseWindowMin),
		Latest:   now.AddDate(releaseWindowMaxYears, 0, 0),
	}
}

// effectiveReleaseTime is the time the service applies for t: UTC, seconds
// (and anything smaller) dropped.
func effectiveReleaseTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Minute)
}

// windowCheck is the verdict on one release time.
type windowCheck int

const (
	windowOK windowCheck = iota
	windowTooSoon
	windowTooLate
)

// check compares the time the service would apply for t with the window.
func (w releaseWindow) check(t time.Time) windowCheck {
	e := effectiveReleaseTime(t)
	switch {
	case e.Before(w.Earliest):
		return windowTooSoon
	case e.After(w.Latest):
		return windowTooLate
	}
	return windowOK
}

// nearEdge reports whether an in-window t is less than releaseWindowMargin
// inside either end of the window.
func (w releaseWindow) nearEdge(t time.Time) bool {
	e := effectiveReleaseTime(t)
	return e.Sub(w.Earliest) < releaseWindowMargin || w.Latest.Sub(e) < releaseWindowMargin
}

// describe is the sentence every window diagnostic ends with.
func (w releaseWindow) describe() string {
	return fmt.Sprintf("ECS accepts a release time from 30 minutes to 3 years ahead: right now (%s) that is from %s to %s (seconds are truncated to the minute).",
		formatReleaseTime(w.Now.Truncate(time.Second)), formatReleaseTime(w.Earliest.Truncate(time.Second)),
		formatReleaseTime(w.Latest.Truncate(time.Second)))
}

// formatReleaseTime writes t in the service's format.
func formatReleaseTime(t time.Time) string { return t.UTC().Format(releaseTimeLayout) }

// parseAPIReleaseTime reads DescribeInstances' AutoReleaseTime
// (yyyy-MM-ddTHH:mmZ); it also takes the full layout, in case the service
// adds seconds.
func parseAPIReleaseTime(s string) (time.Time, error) {
	if t, err := time.Parse(apiReleaseTimeLayout, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(releaseTimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("unexpected AutoReleaseTime %q from the ECS API", s)
	}
	return t.UTC(), nil
}

// releaseTimeShape is a loose RFC 3339 date-time, so that the common mistakes
// (an offset, a lowercase z, fractional seconds) get a message of their own.
var releaseTimeShape = regexp.MustCompile(
	`^(\d{4})-(\d{2})-(\d{2})([Tt])(\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$`)

// parseReleaseTime parses release_time. Accepted: exactly yyyy-MM-ddTHH:mm:ssZ
// (RFC 3339 in UTC with an uppercase Z, whole seconds). Rejected with a
// message that shows the fix: offsets (even +00:00), a lowercase t or z,
// fractional seconds (the service takes whole seconds), impossible dates.
func parseReleaseTime(s string) (time.Time, error) {
	m := releaseTimeShape.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, fmt.Errorf("%q is not a time in the format yyyy-MM-ddTHH:mm:ssZ (RFC 3339 in UTC), such as %q.",
			s, releaseTimeExample)
	}
	year, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	day, _ := strconv.Atoi(m[3])
	hour, _ := strconv.Atoi(m[5])
	minute, _ := strconv.Atoi(m[6])
	sec, _ := strconv.Atoi(m[7])
	if err := checkDateTimeFields(year, month, day, hour, minute, sec); err != nil {
		return time.Time{}, fmt.Errorf("%q is not a valid time: %w.", s, err)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	frac, zone := m[8], m[9]
	if zone != "Z" && zone != "z" {
		// Show the same instant in UTC, so the fix is a copy and paste.
		withOffset, err := time.Parse("2006-01-02T15:04:05Z07:00", m[1]+"-"+m[2]+"-"+m[3]+"T"+m[5]+":"+m[6]+":"+m[7]+zone)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q has the offset %s, which is not valid; ECS takes UTC times ending in Z, such as %q.",
				s, zone, releaseTimeExample)
		}
		return time.Time{}, fmt.Errorf("%q has the UTC offset %s; ECS takes UTC times ending in Z. The same instant in UTC is %q.",
			s, zone, formatReleaseTime(withOffset))
	}
	if frac != "" {
		return time.Time{}, fmt.Errorf("%q has fractional seconds; ECS takes whole seconds (and truncates them to the minute). Write %q.",
			s, formatReleaseTime(t))
	}
	if m[4] != "T" || zone != "Z" {
		return time.Time{}, fmt.Errorf("%q uses a lowercase letter; write the T and the Z in uppercase: %q.",
			s, formatReleaseTime(t))
	}
	return t, nil
}

// checkDateTimeFields says what is impossible about a date and time, such as
// the 30th of February or 24:00.
func checkDateTimeFields(year, month, day, hour, minute, sec int) error {
	if month < 1 || month > 12 {
		return fmt.Errorf("month %02d does not exist (01 to 12)", month)
	}
	days := daysIn(year, time.Month(month))
	if day < 1 || day > days {
		return fmt.Errorf("%s %d has days 01 to %02d, not %02d", time.Month(month), year, days, day)
	}
	if hour > 23 {
		return fmt.Errorf("hour %02d does not exist (00 to 23)", hour)
	}
	if minute > 59 {
		return fmt.Errorf("minute %02d does not exist (00 to 59)", minute)
	}
	if sec > 59 {
		return fmt.Errorf("second %02d does not exist (00 to 59; ECS does not take leap seconds)", sec)
	}
	return nil
}

// daysIn returns the number of days in a month, leap years included.
func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// releaseAfterToken is one number-and-unit part of a release_after value.
var releaseAfterToken = regexp.MustCompile(`(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h|d)`)

// parseReleaseAfter parses release_after: a Go duration ("90m", "1h30m",
// "1.5h") with a "d" unit for 24-hour days ("14d", "1d12h"). It does not
// check the range; see checkReleaseAfterRange.
func parseReleaseAfter(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a duration. Use a number and a unit, such as \"90m\", \"36h\", \"14d\" or \"1d12h\" (units: d, h, m, s).", s)
	if s == "" || strings.HasPrefix(s, "+") {
		return 0, bad
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%q is negative; release_after is how long from now the instance is released, from 30m to %s.",
			s, "1095d")
	}
	parts := releaseAfterToken.FindAllStringSubmatchIndex(s, -1)
	var total time.Duration
	end := 0
	for _, p := range parts {
		if p[0] != end {
			return 0, bad
		}
		end = p[1]
		num, unit := s[p[2]:p[3]], s[p[4]:p[5]]
		var d time.Duration
		if unit == "d" {
			f, err := strconv.ParseFloat(num, 64)
			if err != nil || f > float64(releaseAfterMax/(24*time.Hour))*10 {
				return 0, fmt.Errorf("%q is far beyond 3 years; release_after takes 30m to 1095d.", s)
			}
			d = time.Duration(f * float64(24*time.Hour))
		} else {
			var err error
			if d, err = time.ParseDuration(num + unit); err != nil {
				return 0, fmt.Errorf("%q is far beyond 3 years; release_after takes 30m to 1095d.", s)
			}
		}
		if total > time.Duration(1<<62)-d {
			return 0, fmt.Errorf("%q is far beyond 3 years; release_after takes 30m to 1095d.", s)
		}
		total += d
	}
	if end != len(s) || len(parts) == 0 {
		return 0, bad
	}
	return total, nil
}

// checkReleaseAfterRange enforces 30m <= d <= 1095d. The upper bound is the
// shortest three years can be, so the check needs no "now" and is done when
// the configuration is validated.
func checkReleaseAfterRange(s string, d time.Duration) error {
	switch {
	case d < releaseWindowMin:
		return fmt.Errorf("%q is less than 30 minutes; ECS releases an instance automatically no sooner than 30 minutes ahead. Use a value from 30m to 1095d.", s)
	case d > releaseAfterMax:
		return fmt.Errorf("%q is more than 3 years (1095d); ECS schedules a release at most 3 years ahead. Use a value from 30m to 1095d.", s)
	}
	return nil
}

// releaseAfterSkewMargin is how far beyond the window's 30-minute minimum a
// release_after is always resolved: the service checks the time against its
// own clock, and a few seconds of difference with this machine's clock made
// it refuse "30m" resolved to exactly the minimum.
const releaseAfterSkewMargin = time.Minute

// resolveReleaseAfter turns release_after into the release time applied at
// now: at least releaseAfterSkewMargin beyond the window's minimum, rounded
// up to a whole minute, so the service's truncation never moves it closer
// than d; but never past the window's end.
func resolveReleaseAfter(now time.Time, d time.Duration) time.Time {
	if least := releaseWindowMin + releaseAfterSkewMargin; d < least {
		d = least
	}
	t := now.UTC().Add(d)
	up := t.Truncate(time.Minute)
	if up.Before(t) {
		up = up.Add(time.Minute)
	}
	if last := releaseWindowAt(now).Latest.Truncate(time.Minute); up.After(last) {
		return last
	}
	return up
}

// releaseTimeDiagnostics applies the window rules to a release time that is
// being set or changed: an error outside the window, a warning near either
// end, a warning when the seconds will be truncated. atApply leaves the
// warnings out: the plan has shown them.
func releaseTimeDiagnostics(p path.Path, attr, value string, t time.Time, w releaseWindow, atApply bool) diag.Diagnostics {
	var diags diag.Diagnostics
	e := effectiveReleaseTime(t)
	// ModifyPlan runs again while a saved plan is applied, so the same
	// words serve a plan made now and a plan applied late.
	late := " The window is checked against the current time when the plan is made and again when it is applied, " +
		"before any change: a saved plan, or a run that waited for approval, fails here when too much time has " +
		"passed since it was planned. No call was made for this schedule. Choose a new time and plan again, or use " +
		"release_after, " +
		"which is resolved when the plan is applied."
	applied := ""
	if formatReleaseTime(e) != value {
		applied = " (applied as " + formatReleaseTime(e) + ")"
	}
	switch w.check(t) {
	case windowTooSoon:
		diags.AddAttributeError(p, attr+" is too soon",
			fmt.Sprintf("%s %q%s is before the earliest allowed release time, %s. %s%s",
				attr, value, applied, formatReleaseTime(w.Earliest.Truncate(time.Second)), w.describe(), late))
		return diags
	case windowTooLate:
		diags.AddAttributeError(p, attr+" is too far ahead",
			fmt.Sprintf("%s %q%s is after the latest allowed release time, %s. %s%s",
				attr, value, applied, formatReleaseTime(w.Latest.Truncate(time.Second)), w.describe(), late))
		return diags
	}
	if !atApply && w.nearEdge(t) {
		margin := e.Sub(w.Earliest)
		edge := "earliest"
		if m := w.Latest.Sub(e); m < margin {
			margin, edge = m, "latest"
		}
		diags.AddAttributeWarning(p, attr+" is close to the edge of the allowed window",
			fmt.Sprintf("%s %q is only %s inside the window (it is near the %s allowed time). If this plan is applied "+
				"more than %s from now, for example as a saved plan or after waiting for approval, the apply fails. %s",
				attr, value, roundDuration(margin), edge, roundDuration(margin), w.describe()))
	}
	if !atApply && !t.Equal(e) {
		diags.AddAttributeWarning(p, attr+" has seconds",
			fmt.Sprintf("ECS truncates release times to the minute: %s %q takes effect at %s. %s keeps your value; "+
				"effective_release_time shows the time applied.", attr, value, formatReleaseTime(e), attr))
	}
	return diags
}

// roundDuration prints d to the second, e.g. "9m30s".
func roundDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return d.Truncate(time.Second).String()
}
