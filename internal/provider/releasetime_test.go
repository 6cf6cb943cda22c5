package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return v.UTC()
}

func TestReleaseTimeParseAccepts(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2027-01-30T00:00:00Z", "2027-01-30T00:00:00Z"},
		{"2028-02-29T23:59:59Z", "2028-02-29T23:59:59Z"}, // leap day
		{"2027-12-31T12:30:45Z", "2027-12-31T12:30:45Z"},
		{"2027-04-30T00:00:00Z", "2027-04-30T00:00:00Z"},
	} {
		got, err := parseReleaseTime(tc.in)
		if err != nil {
			t.Errorf("parseReleaseTime(%q): unexpected error %v", tc.in, err)
			continue
		}
		if got.Location() != time.UTC || got.Format(releaseTimeLayout) != tc.want {
			t.Errorf("parseReleaseTime(%q) = %v, want %s", tc.in, got, tc.want)
		}
	}
}

func TestReleaseTimeParseRejects(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string // substrings of the message
	}{
		{"", []string{"yyyy-MM-ddTHH:mm:ssZ", "2027-01-30T00:00:00Z"}},
		{"tomorrow", []string{`"tomorrow" is not a time`}},
		{"2027-01-30", []string{"is not a time"}},
		{"2027-01-30 00:00:00Z", []string{"is not a time"}},
		{"2027-01-30T00:00Z", []string{"is not a time"}},   // no seconds
		{"2027-01-30T00:00:00", []string{"is not a time"}}, // no zone
		{"2027-1-30T00:00:00Z", []string{"is not a time"}},
		{"2027-01-30T08:00:00+08:00", []string{"offset +08:00", `"2027-01-30T00:00:00Z"`}},
		{"2027-01-29T19:00:00-05:00", []string{"offset -05:00", `"2027-01-30T00:00:00Z"`}},
		{"2027-01-30T00:00:00+00:00", []string{"offset +00:00", `"2027-01-30T00:00:00Z"`}},
		{"2027-01-30T00:00:00+25:00", []string{"offset +25:00", "not valid"}},
		{"2027-01-30T00:00:00z", []string{"lowercase", `"2027-01-30T00:00:00Z"`}},
		{"2027-01-30t00:00:00Z", []string{"lowercase", `"2027-01-30T00:00:00Z"`}},
		{"2027-01-30T00:00:00.5Z", []string{"fractional seconds", `"2027-01-30T00:00:00Z"`}},
		{"2027-01-30T00:00:00.000Z", []string{"fractional seconds"}},
		{"2027-02-29T00:00:00Z", []string{"February 2027 has days 01 to 28, not 29"}}, // not a leap year
		{"2028-02-30T00:00:00Z", []string{"February 2028 has days 01 to 29, not 30"}},
		{"2100-02-29T00:00:00Z", []string{"February 2100 has days 01 to 28"}}, // century, not leap
		{"2027-04-31T00:00:00Z", []string{"April 2027 has days 01 to 30, not 31"}},
		{"2027-01-00T00:00:00Z", []string{"not 00"}},
		{"2027-13-01T00:00:00Z", []string{"month 13 does not exist"}},
		{"2027-00-01T00:00:00Z", []string{"month 00 does not exist"}},
		{"2027-01-30T24:00:00Z", []string{"hour 24 does not exist"}},
		{"2027-01-30T00:60:00Z", []string{"minute 60 does not exist"}},
		{"2027-01-30T00:00:60Z", []string{"second 60 does not exist"}},
	} {
		_, err := parseReleaseTime(tc.in)
		if err == nil {
			t.Errorf("parseReleaseTime(%q): no error", tc.in)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("parseReleaseTime(%q) = %q, want it to contain %q", tc.in, err, w)
			}
		}
	}
}

func TestReleaseAfterParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"30m", 30 * time.Minute},
		{"90m", 90 * time.Minute},
		{"36h", 36 * time.Hour},
		{"14d", 14 * 24 * time.Hour},
		{"1d12h", 36 * time.Hour},
		{"1h30m", 90 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{"0.5d", 12 * time.Hour},
		{"1095d", 1095 * 24 * time.Hour},
		{"2h0m30s", 2*time.Hour + 30*time.Second},
	} {
		got, err := parseReleaseAfter(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseReleaseAfter(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"", "is not a duration"},
		{"14", "is not a duration"},
		{"d", "is not a duration"},
		{"14days", "is not a duration"},
		{"2w", "is not a duration"},
		{"1h 30m", "is not a duration"},
		{"+1h", "is not a duration"},
		{"-1h", "is negative"},
		{"99999999999h", "far beyond 3 years"},
		{"99999999999d", "far beyond 3 years"},
	} {
		_, err := parseReleaseAfter(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseReleaseAfter(%q) = %v; want an error containing %q", tc.in, err, tc.want)
		}
	}
}

func TestReleaseAfterRange(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"29m59s", false},
		{"30m", true},
		{"1095d", true},
		{"1095d1m", false},
		{"1096d", false},
		{"0s", false},
	} {
		d, err := parseReleaseAfter(tc.in)
		if err != nil {
			t.Fatalf("parseReleaseAfter(%q): %v", tc.in, err)
		}
		err = checkReleaseAfterRange(tc.in, d)
		if (err == nil) != tc.ok {
			t.Errorf("checkReleaseAfterRange(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "30m to 1095d") {
			t.Errorf("checkReleaseAfterRange(%q) = %q, want it to name the range", tc.in, err)
		}
	}
}

// TestReleaseWindowBoundaries covers each edge of now+30m <= t <= now+3y
// with a fake clock, truncation to the minute included.
func TestReleaseWindowBoundaries(t *testing.T) {
	for _, tc := range []struct {
		name, now, at string
		want          windowCheck
	}{
		{"29m59s ahead", "2026-01-10T12:00:00Z", "2026-01-10T12:29:59Z", windowTooSoon},
		{"30m ahead", "2026-01-10T12:00:00Z", "2026-01-10T12:30:00Z", windowOK},
		{"30m59s ahead: truncated to 30m", "2026-01-10T12:00:00Z", "2026-01-10T12:30:59Z", windowOK},
		// now has seconds: 12:30:59 is applied as 12:30:00, 10s short of now+30m.
		{"truncation makes it too soon", "2026-01-10T12:00:10Z", "2026-01-10T12:30:59Z", windowTooSoon},
		{"now with nanoseconds", "2026-01-10T12:00:00.000000001Z", "2026-01-10T12:30:00Z", windowTooSoon},
		{"in the past", "2026-01-10T12:00:00Z", "2026-01-10T11:00:00Z", windowTooSoon},
		{"3y ahead", "2026-01-10T12:00:00Z", "2029-01-10T12:00:00Z", windowOK},
		{"3y ahead with seconds: truncated", "2026-01-10T12:00:00Z", "2029-01-10T12:00:59Z", windowOK},
		{"3y+1m ahead", "2026-01-10T12:00:00Z", "2029-01-10T12:01:00Z", windowTooLate},
		{"3y+1s ahead from a now with seconds", "2026-01-10T12:00:30Z", "2029-01-10T12:01:00Z", windowTooLate},
		// Feb 29 + 3 years: Go normalises 2031-02-29 to March 1st.
		{"leap day + 3y", "2028-02-29T00:00:00Z", "2031-03-01T00:00:00Z", windowOK},
		{"leap day + 3y + 1m", "2028-02-29T00:00:00Z", "2031-03-01T00:01:00Z", windowTooLate},
		{"span with a leap day: 1096 days", "2027-03-01T00:00:00Z", "2030-03-01T00:00:00Z", windowOK},
		{"span with a leap day: 1096 days + 1m", "2027-03-01T00:00:00Z", "2030-03-01T00:01:00Z", windowTooLate},
		{"month end + 30m crosses into the next month", "2027-01-31T23:45:00Z", "2027-02-01T00:15:00Z", windowOK},
		{"month end, 1m short", "2027-01-31T23:45:00Z", "2027-02-01T00:14:00Z", windowTooSoon},
		{"year end", "2026-12-31T23:59:00Z", "2027-01-01T00:29:00Z", windowOK},
		{"Jan 31 + 3y", "2026-01-31T00:00:00Z", "2029-01-31T00:00:00Z", windowOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(mustTime(t, tc.now))
			w := releaseWindowAt(clk.Now())
			if got := w.check(mustTime(t, tc.at)); got != tc.want {
				t.Errorf("window at %s: check(%s) = %v, want %v (earliest %s, latest %s)",
					tc.now, tc.at, got, tc.want, w.Earliest, w.Latest)
			}
		})
	}
}

func TestReleaseWindowFollowsTheClock(t *testing.T) {
	clk := clock.NewFake(mustTime(t, "2026-01-10T12:00:00Z"))
	at := mustTime(t, "2026-01-10T12:40:00Z")
	if releaseWindowAt(clk.Now()).check(at) != windowOK {
		t.Fatal("40m ahead should be in the window")
	}
	clk.Advance(10*time.Minute + time.Second)
	if releaseWindowAt(clk.Now()).check(at) != windowTooSoon {
		t.Fatal("after 10m01s the same time should be too soon")
	}
}

func TestReleaseWindowNearEdge(t *testing.T) {
	now := mustTime(t, "2026-01-10T12:00:00Z")
	w := releaseWindowAt(now)
	for _, tc := range []struct {
		at   string
		near bool
	}{
		{"2026-01-10T12:30:00Z", true},
		{"2026-01-10T12:39:00Z", true},
		{"2026-01-10T12:40:00Z", false},
		{"2027-06-01T00:00:00Z", false},
		{"2029-01-10T11:50:00Z", false},
		{"2029-01-10T11:51:00Z", true},
		{"2029-01-10T12:00:00Z", true},
	} {
		if got := w.nearEdge(mustTime(t, tc.at)); got != tc.near {
			t.Errorf("nearEdge(%s) = %v, want %v", tc.at, got, tc.near)
		}
	}
}

func TestResolveReleaseAfter(t *testing.T) {
	for _, tc := range []struct {
		now  string
		d    string
		want string
	}{
		// At least a minute beyond the 30-minute minimum, so a clock a little
		// behind the service's does not make ECS refuse it.
		{"2026-01-10T12:00:00Z", "30m", "2026-01-10T12:31:00Z"},
		{"2026-01-10T12:00:01Z", "30m", "2026-01-10T12:32:00Z"},
		{"2026-01-10T12:00:59Z", "30m", "2026-01-10T12:32:00Z"},
		{"2026-01-10T12:00:01Z", "31m", "2026-01-10T12:32:00Z"},
		{"2026-01-10T12:00:00Z", "32m", "2026-01-10T12:32:00Z"},
		// Rounded up, so the truncation never brings it closer than asked.
		{"2026-01-10T12:00:01Z", "45m", "2026-01-10T12:46:00Z"},
		{"2026-01-10T12:00:00.5Z", "90m", "2026-01-10T13:31:00Z"},
		{"2026-01-31T23:50:00Z", "14d", "2026-02-14T23:50:00Z"},
		// 1095d from a start whose three years have no leap day: exactly
		// the window's end; rounding up would pass it, so it is clamped.
		{"2028-03-01T00:00:30Z", "1095d", "2031-03-01T00:00:00Z"},
		// Three years that include Feb 29 have 1096 days: 1095d is a day short.
		{"2027-03-01T00:00:00Z", "1095d", "2030-02-28T00:00:00Z"},
	} {
		d, err := parseReleaseAfter(tc.d)
		if err != nil {
			t.Fatal(err)
		}
		now := mustTime(t, tc.now)
		got := resolveReleaseAfter(now, d)
		if formatReleaseTime(got) != tc.want {
			t.Errorf("resolveReleaseAfter(%s, %s) = %s, want %s", tc.now, tc.d, formatReleaseTime(got), tc.want)
		}
		if c := releaseWindowAt(now).check(got); c != windowOK {
			t.Errorf("resolveReleaseAfter(%s, %s) = %s is outside the window (%v)", tc.now, tc.d, formatReleaseTime(got), c)
		}
		if min := now.Add(releaseWindowMin + time.Minute); got.Before(min) {
			t.Errorf("resolveReleaseAfter(%s, %s) = %s is less than 31 minutes ahead", tc.now, tc.d, formatReleaseTime(got))
		}
	}
}

func TestParseAPIReleaseTime(t *testing.T) {
	for in, want := range map[string]string{
		"2027-01-30T00:00Z":    "2027-01-30T00:00:00Z",
		"2027-01-30T12:34Z":    "2027-01-30T12:34:00Z",
		"2027-01-30T12:34:00Z": "2027-01-30T12:34:00Z",
	} {
		got, err := parseAPIReleaseTime(in)
		if err != nil || formatReleaseTime(got) != want {
			t.Errorf("parseAPIReleaseTime(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	if _, err := parseAPIReleaseTime("garbage"); err == nil {
		t.Error("parseAPIReleaseTime(garbage): no error")
	}
}

func diagTexts(diags diag.Diagnostics) (errs, warns []string) {
	for _, d := range diags {
		s := d.Summary() + ": " + d.Detail()
		if d.Severity() == diag.SeverityError {
			errs = append(errs, s)
		} else {
			warns = append(warns, s)
		}
	}
	return errs, warns
}

func TestReleaseTimeDiagnostics(t *testing.T) {
	now := mustTime(t, "2026-01-10T12:00:00Z")
	w := releaseWindowAt(now)
	p := path.Root("release_time")
	for _, tc := range []struct {
		name      string
		value     string
		atApply   bool
		wantErr   []string
		wantWarns int
		wantWarn  []string
	}{
		{name: "well inside", value: "2026-06-01T00:00:00Z"},
		{name: "too soon", value: "2026-01-10T12:29:00Z",
			wantErr: []string{"too soon", `"2026-01-10T12:29:00Z"`, "2026-01-10T12:30:00Z", "2029-01-10T12:00:00Z", "right now (2026-01-10T12:00:00Z)"}},
		{name: "too late", value: "2029-01-10T12:01:00Z",
			wantErr: []string{"too far ahead", `"2029-01-10T12:01:00Z"`, "latest allowed release time, 2029-01-10T12:00:00Z"}},
		{name: "too soon at apply", value: "2026-01-10T12:29:00Z", atApply: true,
			wantErr: []string{"too soon", "saved plan", "No call was made for this schedule"}},
		{name: "near the start", value: "2026-01-10T12:35:00Z", wantWarns: 1,
			wantWarn: []string{"close to the edge", "5m0s inside the window", "earliest"}},
		{name: "near the end", value: "2029-01-10T11:58:00Z", wantWarns: 1,
			wantWarn: []string{"close to the edge", "2m0s", "latest"}},
		{name: "seconds", value: "2026-06-01T00:00:42Z", wantWarns: 1,
			wantWarn: []string{"truncates", "2026-06-01T00:00:00Z"}},
		{name: "near and seconds", value: "2026-01-10T12:31:30Z", wantWarns: 2},
		{name: "no warnings at apply", value: "2026-01-10T12:31:30Z", atApply: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := parseReleaseTime(tc.value)
			if err != nil {
				t.Fatal(err)
			}
			diags := releaseTimeDiagnostics(p, "release_time", tc.value, v, w, tc.atApply)
			errs, warns := diagTexts(diags)
			if (len(tc.wantErr) > 0) != (len(errs) > 0) {
				t.Fatalf("errors = %q, want %q", errs, tc.wantErr)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(strings.Join(errs, "\n"), want) {
					t.Errorf("errors %q do not contain %q", errs, want)
				}
			}
			if len(warns) != tc.wantWarns {
				t.Fatalf("warnings = %q, want %d", warns, tc.wantWarns)
			}
			for _, want := range tc.wantWarn {
				if !strings.Contains(strings.Join(warns, "\n"), want) {
					t.Errorf("warnings %q do not contain %q", warns, want)
				}
			}
			for _, d := range diags {
				if dp, ok := d.(diag.DiagnosticWithPath); !ok || !dp.Path().Equal(p) {
					t.Errorf("diagnostic %q is not on release_time", d.Summary())
				}
			}
		})
	}
}
