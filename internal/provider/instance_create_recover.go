package provider

import (
	"context"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// runInstanceRecoverTimeout bounds the replay of an ambiguous RunInstances.
const runInstanceRecoverTimeout = 2 * time.Minute

// recoverRunInstance is called when RunInstances failed without an id. If
// the request may have reached the service (a transport error, a timeout, a
// 5xx, or the apply being interrupted while the call was in flight), the
// machine may exist although we never saw its id, and nothing would record
// it: a leak. Replaying the call with the same ClientToken is safe — the
// service answers with the instance the first call made, or makes the one
// this create is for — and tells us the id, even when the apply's own
// context has been cancelled (hence WithoutCancel, with its own deadline).
// A request that certainly did not reach the service is not replayed.
func recoverRunInstance(ctx context.Context, client *ecsapi.Client, in ecsapi.RunInstanceInput, err error) (string, error) {
	var ae *ecsapi.APIError
	if !errors.As(err, &ae) || !(ae.Transport || ae.Timeout || ae.HTTPStatus >= 500) {
		return "", err
	}
	tflog.Warn(ctx, "RunInstances may have taken effect without an answer; replaying it with the same ClientToken to learn the instance id",
		map[string]any{"error": err.Error()})
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), runInstanceRecoverTimeout)
	defer cancel()
	id, rerr := client.RunInstance(rctx, in)
	if rerr != nil || id == "" {
		return "", err
	}
	return id, nil
}
