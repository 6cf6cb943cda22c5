package provider

import (
	"crypto/rand"
	"encoding/hex"
)

// newClientToken returns a random UUID (version 4) for a create call's
// ClientToken: ecsapi sends the same token on every retry of the call, so a
// retry returns what the first attempt made instead of making a second one.
func newClientToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand aborts the program instead
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
