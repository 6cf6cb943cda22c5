package ecsapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Concurrent releases share one DeleteInstances call (up to 100 ids) where
// each would send its own DeleteInstance: the stop polls of a destroy's
// wave see its machines Stopped together, and their releases follow within
// milliseconds. They are batched like reads (batcher, one per value of
// Force), with the rules of a write. Each caller has already decided on its
// own that its instance goes (read fresh, deletion protection off,
// stopped); the batch only carries the decisions.
//   - A batch of one id sends nothing: its caller makes its own
//     DeleteInstance, exactly as without batching.
//   - A caller that leaves (its context ends) before the batch is sent takes
//     its id out (batcher.dropLeavers): an interrupted destroy releases
//     nothing.
//   - The call carries a ClientToken, so its retries cannot act twice.
//   - When the call fails, no caller takes its error for its own: each
//     makes its own DeleteInstance, which names its own cause (a wrong
//     state, deletion protection turned on meanwhile, already gone). Whether
//     the service acts on part of a refused DeleteInstances is not
//     documented; an id it did release answers NotFound on its own call,
//     which then counts as released.
//   - When the call is denied (a RAM policy without ecs:DeleteInstances),
//     sharing stops for the life of the Client: releases then cost what
//     they cost before, not a refused call more.

// errReleaseAlone answers the only caller of a release batch: it makes its
// own DeleteInstance.
var errReleaseAlone = errors.New("ecsapi: a release alone in its batch")

// newReleaseBatcher batches the releases of one value of Force.
func (c *Client) newReleaseBatcher(force bool) *batcher[struct{}] {
	b := newBatcher(instanceBatchWindow(c.cfg), maxReleaseBatch, func(ctx context.Context, ids []string) (map[string]struct{}, string, error) {
		if len(ids) < 2 {
			return nil, "", errReleaseAlone
		}
		if err := c.deleteInstances(ctx, ids, force); err != nil {
			if isPermissionDenied(err) {
				c.releasesDenied.Store(true)
			}
			return nil, "", err
		}
		released := make(map[string]struct{}, len(ids))
		for _, id := range ids {
			released[id] = struct{}{}
		}
		return released, "", nil
	})
	b.slideFor = instanceBatchSlide
	b.dropLeavers = true
	return b
}

// maxReleaseBatch is DeleteInstances' limit of ids per call.
const maxReleaseBatch = 100

// releaseShared releases id in a shared DeleteInstances. released: it is
// done (err is then the caller's context error, if any). Otherwise the
// caller makes its own DeleteInstance; sharedFailed says the shared call
// failed and may have acted, so that NotFound then means released.
func (c *Client) releaseShared(ctx context.Context, id string, force bool) (released, sharedFailed bool, err error) {
	b := c.releases
	if force {
		b = c.forcedReleases
	}
	_, released, _, err = b.get(ctx, id)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return true, false, ctxErr
	}
	return released, err != nil && !errors.Is(err, errReleaseAlone), nil
}

// isPermissionDenied: the caller's RAM policy does not allow the action.
func isPermissionDenied(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && (strings.HasPrefix(apiErr.Code, "Forbidden.RAM") || apiErr.Code == "NoPermission")
}

// deleteInstances releases ids in one DeleteInstances call. Every id is
// marked written in the refresh listing, as DeleteInstance marks its one.
func (c *Client) deleteInstances(ctx context.Context, ids []string, force bool) error {
	for _, id := range ids {
		c.listing.beginWrite(id)
		defer c.listing.endWrite(id)
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand aborts the program instead
	token := hex.EncodeToString(b[:])
	_, err := invoke(ctx, c, call{action: "DeleteInstances", kind: kindIdempotent},
		ecs.CreateDeleteInstancesRequest, (*ecs.Client).DeleteInstances, func(req *ecs.DeleteInstancesRequest) {
			req.RegionId = c.cfg.RegionID
			req.InstanceId = &ids
			req.ClientToken = token
			if force {
				req.Force = requests.NewBoolean(true)
			}
		})
	return err
}
