package emulator

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomSuffix returns n lowercase alphanumerics from the global source
// (safe for concurrent use).
func randomSuffix(n int) string {
	var b strings.Builder
	b.Grow(n)
	for i := 0; i < n; i++ {
		b.WriteByte(idAlphabet[rand.IntN(len(idAlphabet))])
	}
	return b.String()
}

// newRequestID returns an uppercase UUID like the service's RequestId.
func newRequestID() string {
	const hexd = "0123456789ABCDEF"
	var b [36]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	j := 0
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			b[i] = '-'
			continue
		}
		var nib uint64
		if j < 16 {
			nib = (hi >> (uint(j) * 4)) & 0xf
		} else {
			nib = (lo >> (uint(j-16) * 4)) & 0xf
		}
		b[i] = hexd[nib]
		j++
	}
	return string(b[:])
}

func itoa(i int) string { return strconv.Itoa(i) }
