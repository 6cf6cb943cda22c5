package emulator

import (
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Field rules of the service, as the handlers check them: names,
// descriptions, host names, passwords, client tokens and auto-release times
// (README, "Field formats" and "The auto-release window"). The handlers
// choose the error code of a breach.

func isCJK(r rune) bool { return unicode.Is(unicode.Han, r) }

// validName: 2–128 characters, starts with a letter or CJK character, and
// contains only letters, CJK, digits, '.', '_', ':' and '-'.
func validName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 128 || !utf8.ValidString(s) {
		return false
	}
	for i, r := range s {
		letter := r < 128 && unicode.IsLetter(r) || isCJK(r)
		if i == 0 && !letter {
			return false
		}
		if !letter && !(r >= '0' && r <= '9') && !strings.ContainsRune("._:-", r) {
			return false
		}
	}
	return !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://")
}

// validDescription: 2–256 characters, not starting with http:// or https://.
func validDescription(s string) bool {
	n := utf8.RuneCountInString(s)
	return utf8.ValidString(s) && n >= 2 && n <= 256 &&
		!strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://")
}

// validHostName: Linux 2–64 chars of letters, digits, '.', '-', where '.'
// and '-' are not first, last or consecutive. Windows 2–15 chars of letters,
// digits and '-', not only digits.
func validHostName(s, osType string) bool {
	if osType == "windows" {
		if len(s) < 2 || len(s) > 15 {
			return false
		}
		digits := true
		for _, r := range s {
			if !(r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '-') {
				return false
			}
			if !unicode.IsDigit(r) {
				digits = false
			}
		}
		return !digits
	}
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	prevSep := true // a separator may not come first
	for _, r := range s {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			prevSep = false
		case r == '.' || r == '-':
			if prevSep {
				return false
			}
			prevSep = true
		default:
			return false
		}
	}
	return !prevSep
}

const passwordSpecials = "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/"

// validPassword: 8–30 characters from three of the four classes.
func validPassword(s string) bool {
	if len(s) < 8 || len(s) > 30 {
		return false
	}
	var up, low, dig, spec bool
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			up = true
		case r >= 'a' && r <= 'z':
			low = true
		case r >= '0' && r <= '9':
			dig = true
		case strings.ContainsRune(passwordSpecials, r):
			spec = true
		default:
			return false
		}
	}
	n := 0
	for _, b := range []bool{up, low, dig, spec} {
		if b {
			n++
		}
	}
	return n >= 3
}

// parseAutoReleaseTime checks format yyyy-MM-ddTHH:mm:ssZ (UTC), truncates
// seconds, and enforces now+30m ≤ t ≤ now+3y on the emulator clock. The
// truncated value is compared, as it is the one that would be applied.
func parseAutoReleaseTime(s string, now time.Time, param string) (time.Time, *apiError) {
	bad := newErr(http.StatusBadRequest, "InvalidAutoReleaseTime.Malformed",
		"The specified parameter %s is not valid.", param)
	t, err := time.Parse("2006-01-02T15:04:05Z", s)
	if err != nil {
		return time.Time{}, bad
	}
	t = t.Truncate(time.Minute)
	if t.Before(now.Add(30*time.Minute)) || t.After(now.AddDate(3, 0, 0)) {
		return time.Time{}, bad
	}
	return t, nil
}

func validClientToken(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
