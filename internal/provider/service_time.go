package provider

import (
	"context"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

// learnServiceTime makes sure the provider's clock has learnt the service's
// time before a window check, by reading the instance the check is about
// when no answer has been seen yet in this process (a plan whose refresh
// made no call). With no instance id to read (it is created by the same
// apply), the check uses this machine's clock, and the apply, which reads
// the new instance first, checks again with the service's.
func (d *providerData) learnServiceTime(ctx context.Context, instanceID string) {
	if d == nil || d.client == nil || instanceID == "" {
		return
	}
	service, ok := d.clock.(*clock.Service)
	if !ok || service.Learnt() {
		return
	}
	_, _ = d.client.GetInstance(ctx, instanceID) // only its answer's Date is wanted here
}
