package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
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

// createRecoverTimeout bounds the replay of an ambiguous create.
const createRecoverTimeout = 2 * time.Minute

// recoverCreate is called when a create with a ClientToken (RunInstances,
// CreateSnapshotGroup) failed without an id. If the request may have
// reached the service (a transport error, a timeout, a 5xx, or the apply
// being interrupted while the call was in flight), the resource may exist
// although we never saw its id, and nothing would record it: a leak.
// Replaying the call with the same ClientToken is safe — the service
// answers with what the first call made, or makes the one this create is
// for — and tells us the id, even when the apply's own context has been
// cancelled (hence WithoutCancel, with its own deadline). A request that
// certainly did not reach the service is not replayed. It returns the id,
// or "" and the first error.
func recoverCreate(ctx context.Context, action string, err error, replay func(context.Context) (string, error)) (string, error) {
	var ae *ecsapi.APIError
	if !errors.As(err, &ae) || !(ae.Transport || ae.Timeout || ae.HTTPStatus >= 500) {
		return "", err
	}
	tflog.Warn(ctx, action+" may have taken effect without an answer; replaying it with the same ClientToken to learn the id",
		map[string]any{"error": err.Error()})
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), createRecoverTimeout)
	defer cancel()
	id, rerr := replay(rctx)
	if rerr != nil || id == "" {
		return "", err
	}
	return id, nil
}
