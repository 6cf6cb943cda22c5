package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzParseReleaseTime: the release_time parser never panics; what it
// accepts is exactly the service's format (it formats back to the same
// string, and the standard library reads the same instant); what it
// rejects gets a message that quotes the value.
func FuzzParseReleaseTime(f *testing.F) {
	for _, s := range []string{
		"2030-01-02T03:04:05Z", "2028-02-29T00:00:00Z", "2027-02-29T00:00:00Z", "2030-01-02T03:04:05+08:00",
		"2030-01-02T03:04:05+00:00", "2030-01-02t03:04:05z", "2030-01-02T03:04:05.5Z", "2030-13-01T00:00:00Z",
		"2030-01-02T24:00:00Z", "2030-01-02T23:60:00Z", "2030-01-02T23:59:60Z", "2030-01-02 03:04:05Z",
		"2030-01-02T03:04Z", "", "Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "2030-01-02T03:04:05+99:99",
		"２０３０-01-02T03:04:05Z", "2030-01-02T03:04:05Z\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseReleaseTime(s)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Fatalf("error for %q does not quote the value: %v", s, err)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("%q parsed to a non-UTC time %v", s, got)
		}
		if back := formatReleaseTime(got); back != s {
			t.Fatalf("%q accepted but formats back as %q", s, back)
		}
		std, err := time.Parse(time.RFC3339, s)
		if err != nil || !std.Equal(got) {
			t.Fatalf("%q accepted as %v, but time.Parse(RFC3339) gives %v, %v", s, got, std, err)
		}
	})
}

// FuzzParseReleaseAfter: never panics, never yields a negative duration,
// and agrees with time.ParseDuration on every value without a "d" unit.
func FuzzParseReleaseAfter(f *testing.F) {
	for _, s := range []string{
		"90m", "1h30m", "1.5h", "14d", "1d12h", "1095d", "1096d", "29m", "-1h", "+1h", "", "0", "1", "h",
		"1e3h", ".5h", "1..5h", "99999999999999999999h", "9223372036854775807ns", "1d1d1d", "1µs", "1us", "3 h",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseReleaseAfter(s)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Fatalf("error for %q does not quote the value: %v", s, err)
			}
			return
		}
		if d < 0 {
			t.Fatalf("%q parsed to a negative duration %v", s, d)
		}
		if !strings.Contains(s, "d") {
			std, err := time.ParseDuration(s)
			if err != nil || std != d {
				t.Fatalf("%q parsed to %v, time.ParseDuration gives %v, %v", s, d, std, err)
			}
		}
		// The range check accepts exactly 30m..1095d.
		rangeErr := checkReleaseAfterRange(s, d)
		if inRange := d >= releaseWindowMin && d <= releaseAfterMax; inRange != (rangeErr == nil) {
			t.Fatalf("%q = %v: range check says %v", s, d, rangeErr)
		}
	})
}

// FuzzParseAPIReleaseTime: what the API returns is read without panics,
// and a value this provider wrote is read back as the same minute.
func FuzzParseAPIReleaseTime(f *testing.F) {
	for _, s := range []string{"2030-01-02T03:04Z", "2030-01-02T03:04:05Z", "2030-01-02T03:04", "", "garbage"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseAPIReleaseTime(s)
		if err != nil {
			return
		}
		again, err := parseAPIReleaseTime(formatReleaseTime(got))
		if err != nil || !again.Equal(got) {
			t.Fatalf("%q read as %v, but its own formatting reads back as %v, %v", s, got, again, err)
		}
	})
}
