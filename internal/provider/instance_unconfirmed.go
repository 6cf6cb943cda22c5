package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// An instance whose id is saved before DescribeInstances ever returned it
// (the create wait ran out, failed or was interrupted while the service was
// still eventually consistent) is "unconfirmed". For such an instance "not
// found" means "not visible yet", not "released outside Terraform": a
// refresh keeps it in the state, and a destroy waits for it to appear and
// releases it. Dropping it instead would leak the machine when it shows up,
// and the next apply would create a second one. The mark lives in private
// state and is cleared by the first read that sees the instance.

const privateKeyUnconfirmed = "unconfirmed"

// unconfirmedMark is the private-state value: when the create ran.
type unconfirmedMark struct {
	CreatedAt string `json:"created_at"`
}

// markUnconfirmed records that the instance has not been seen yet.
func markUnconfirmed(ctx context.Context, p privateSetter, createdAt time.Time) diag.Diagnostics {
	b, err := json.Marshal(unconfirmedMark{CreatedAt: createdAt.UTC().Format(time.RFC3339)})
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot record the instance as unconfirmed", err.Error())
		return diags
	}
	return p.SetKey(ctx, privateKeyUnconfirmed, b)
}

// clearUnconfirmed removes the mark: the instance has been seen.
func clearUnconfirmed(ctx context.Context, p privateSetter) diag.Diagnostics {
	return p.SetKey(ctx, privateKeyUnconfirmed, nil)
}

// unconfirmedOf returns the mark, or nil for a confirmed instance.
func unconfirmedOf(ctx context.Context, p privateGetter) (*unconfirmedMark, diag.Diagnostics) {
	b, diags := p.GetKey(ctx, privateKeyUnconfirmed)
	if diags.HasError() || len(b) == 0 {
		return nil, diags
	}
	var m unconfirmedMark
	if err := json.Unmarshal(b, &m); err != nil {
		// Still unconfirmed: losing the time must not lose the machine.
		m.CreatedAt = "an unknown time"
	}
	return &m, diags
}

// createWaitSaw reports whether a failed create wait saw the instance at
// least once. Anything else (a wait that only ever met "not found", a poll
// refused, an interrupt before the first answer) leaves it unconfirmed.
func createWaitSaw(err error) bool {
	var te *ecsapi.WaitTimeoutError
	return errors.As(err, &te) && te.LastStatus != "" && te.LastStatus != "gone"
}

// readUnconfirmed keeps an unconfirmed instance that a refresh did not find.
func readUnconfirmed(id string, m *unconfirmedMark, resp *resource.ReadResponse) {
	resp.Diagnostics.AddWarning("Instance not visible yet",
		fmt.Sprintf("Instance %s was created at %s but is not visible yet (the service is eventually "+
			"consistent), so it is kept in the state instead of being forgotten and leaked. Once it is "+
			"visible, Terraform releases it (its create failed, so the next apply replaces it), and "+
			"terraform destroy waits for it to appear. If you know it never existed, remove it with "+
			"terraform state rm.", id, m.CreatedAt))
}

// awaitUnconfirmed is Delete's look-up of an unconfirmed instance that was
// not found: it waits (bounded by the delete timeout in ctx) for it to
// become visible, since releasing nothing now would leak it later.
func awaitUnconfirmed(ctx context.Context, client *ecsapi.Client, id string, m *unconfirmedMark, diags *diag.Diagnostics) *ecsapi.Instance {
	inst, err := client.WaitInstanceVisible(ctx, id)
	if err != nil {
		diags.AddError("Instance not visible yet; it was kept in the state",
			fmt.Sprintf("Instance %s was created at %s but has never been visible, so it could not be released: %s. "+
				"It stays in the state so that it is not leaked: destroy again later (or raise timeouts.delete). "+
				"If you know it never existed, remove it with terraform state rm.", id, m.CreatedAt, err))
		return nil
	}
	return inst
}

// unconfirmedGoneDetail is Update's error for an unconfirmed instance that
// was not found: it is kept, not removed.
func unconfirmedGoneDetail(id string, m *unconfirmedMark) string {
	return fmt.Sprintf("Instance %s was created at %s but is not visible yet, so it could not be read. It is kept "+
		"in the state so that it is not leaked; try again later, or remove it with terraform state rm if you "+
		"know it never existed.", id, m.CreatedAt)
}
