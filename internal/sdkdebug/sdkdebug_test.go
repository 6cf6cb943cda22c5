package sdkdebug

import "testing"

func TestStrip(t *testing.T) {
	for _, c := range []struct {
		in, want string
		removed  bool
	}{
		{"sdk", "", true},
		{"sdk,tea", "tea", true},
		{"tea,sdk,signer,sdk", "tea,signer", true},
		{"sdkx,xsdk, sdk", "sdkx,xsdk, sdk", false}, // the SDK matches whole entries only
		{"", "", false},
	} {
		got, removed := Strip(c.in)
		if got != c.want || removed != c.removed {
			t.Errorf("Strip(%q) = %q, %v; want %q, %v", c.in, got, removed, c.want, c.removed)
		}
	}
}
