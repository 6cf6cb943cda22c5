package provider

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// providerData is what the provider hands to every resource and data source.
type providerData struct {
	client *ecsapi.Client
	clock  clock.Clock
	region string

	// createdHere holds the ids of the instances this provider process
	// created. Terraform runs one provider process for the apply of a run,
	// so it tells "created by this apply" exactly (see the schedule's late
	// apply rule).
	createdHere sync.Map

	// refs caches the listings the plan-time reference checks read
	// (instance_references.go), once per provider process.
	refs refCache

	// instancePrices holds the price each instance was last planned or
	// applied with in this process (instance_price.go), for the schedule's
	// estimate.
	instancePrices sync.Map

	// cancelledReleases holds, per instance id, the release time that the
	// destroy of its aliecs_auto_release_schedule cancelled in this process
	// (a time.Time). Terraform destroys the schedule before its instance;
	// when the instance's destroy then fails, the instance sets it again
	// (instance_release_kept.go).
	cancelledReleases sync.Map

	// instanceLocks holds one lock (a chan struct{} of capacity 1) per
	// instance whose disks a snapshot is working on: see lockInstance.
	instanceLocks sync.Map

	// replacingSchedules holds the release_time values of schedules whose
	// instance is being replaced in this plan (see tooSoonForComingMachine).
	replacingSchedules sync.Map
}

// noteReplacingSchedule records that a schedule with this release_time is
// planned for replacement because its instance is. Terraform plans the
// replacement right after, with no prior state: this is how that second
// plan tells it from a new schedule, where a passed time is a plan error.
func (d *providerData) noteReplacingSchedule(releaseTime string) {
	if d != nil {
		d.replacingSchedules.Store(releaseTime, true)
	}
}

// replacingSchedule reports whether noteReplacingSchedule saw releaseTime.
func (d *providerData) replacingSchedule(releaseTime string) bool {
	if d == nil {
		return false
	}
	_, ok := d.replacingSchedules.Load(releaseTime)
	return ok
}

// lockInstance serializes, within this provider process, the work that
// stops an instance, snapshots its disks and starts it again: ECS refuses
// a snapshot of a disk while another is in progress, and one snapshot's
// restart must not run in the middle of another's stop. Terraform applies
// independent resources concurrently, so two aliecs_snapshot of one
// instance would otherwise collide. The wait ends with ctx.
func (d *providerData) lockInstance(ctx context.Context, id string) (unlock func(), err error) {
	v, _ := d.instanceLocks.LoadOrStore(id, make(chan struct{}, 1))
	ch, _ := v.(chan struct{}) // only lockInstance stores, and only channels
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for another snapshot of instance %s in this apply to finish: %w", id, ctx.Err())
	}
}

// markCreated records an instance this apply created.
func (d *providerData) markCreated(id string) { d.createdHere.Store(id, true) }

// createdByThisApply reports whether this apply created the instance.
func (d *providerData) createdByThisApply(id string) bool {
	if d == nil {
		return false
	}
	_, ok := d.createdHere.Load(id)
	return ok
}

// providerDataFrom unpacks the value a resource's or data source's Configure
// receives. It returns nil without a diagnostic while Terraform validates a
// configuration before the provider is configured.
func providerDataFrom(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", v))
		return nil
	}
	return data
}

// requireConfigured reports an error naming what was used (e.g.
// "aliecs_snapshot") when the provider data is missing, which only a bug can
// cause once Terraform has configured the provider.
func requireConfigured(data *providerData, what string, diags *diag.Diagnostics) bool {
	if data == nil || data.client == nil {
		diags.AddError("Provider not configured",
			fmt.Sprintf("The aliecs provider was not configured before %s was used. This is a bug in the provider; please report it.", what))
		return false
	}
	return true
}

// timeoutFunc is a timeouts.Value method (Create, Read, Update, Delete).
type timeoutFunc func(ctx context.Context, def time.Duration) (time.Duration, diag.Diagnostics)

// operationContext starts a create, read, update or delete: it checks that
// the provider is configured (what names the resource in the error) and
// bounds ctx by the operation's timeout, def when the configuration sets
// none. On error it adds the diagnostics and returns ctx unchanged; the
// cancel function is always safe to defer.
func operationContext(ctx context.Context, data *providerData, what string, timeout timeoutFunc, def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	if diags.HasError() || !requireConfigured(data, what, diags) {
		return ctx, func() {}
	}
	d, tdiags := timeout(ctx, def)
	diags.Append(tdiags...)
	if diags.HasError() {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}
