// Package ecsapi is the only code that talks to Alibaba Cloud ECS. It wraps
// the alibaba-cloud-sdk-go client with typed calls that take a context, a
// provider-wide rate limiter, retries with backoff for throttling and
// transient errors, error classification, redaction of secrets, batched reads
// and waiters.
//
// The contract the provider relies on:
//
//	New(cfg Config) (*Client, error)
//
//	// instances
//	RunInstance(ctx, RunInstanceInput) (id string, err error)    // Amount=1, ClientToken reused on every retry
//	GetInstance(ctx, id) (*Instance, error)                      // NotFound error when gone; batched
//	ListInstances(ctx, InstanceFilter) ([]Instance, error)        // every page
//	StartInstance(ctx, id) error
//	StopInstance(ctx, id, StopInput) error
//	DeleteInstance(ctx, id, force bool) error
//	ModifyInstanceAttribute(ctx, id, ModifyInstanceInput) error
//	UpdateInstanceTags(ctx, id, set map[string]string, remove []string) error
//	ModifyInstanceAutoReleaseTime(ctx, id, releaseTime string) error  // "" cancels the schedule
//	ListDisks(ctx, instanceID) ([]Disk, error)
//
//	// snapshot groups
//	CreateSnapshotGroup(ctx, SnapshotGroupInput) (id string, err error)
//	GetSnapshotGroup(ctx, id) (*SnapshotGroup, error)            // NotFound error when gone; snapshots' size and retention filled in
//	ListSnapshotGroups(ctx, SnapshotGroupFilter) ([]SnapshotGroup, error)
//	ModifySnapshotGroup(ctx, id string, name, description *string) error
//	ModifySnapshotAttribute(ctx, snapshotID string, ModifySnapshotInput) error
//	DeleteSnapshotGroup(ctx, id) error
//
//	// waiters: poll until the target, a failure, not-found or ctx's deadline
//	WaitInstanceStatus(ctx, id, status string) (*Instance, error)
//	WaitInstanceGone(ctx, id) error
//	WaitInstanceCreated(ctx, id, status) (*Instance, error)      // addition: "not found" is "not visible yet" for NewInstanceVisibilityGrace
//	WaitInstanceVisible(ctx, id) (*Instance, error)              // addition: "not found" is "not visible yet" until ctx's deadline
//	WaitSnapshotGroupDone(ctx, id) (*SnapshotGroup, error)       // "failed" returns an error at once
//	WaitSnapshotGroupGone(ctx, id) error
//
//	// error classification
//	IsNotFound(err), IsWrongState(err), IsThrottling(err), IsTransient(err) bool
//	ErrorCode(err) string
//
// Additions beyond that list:
//
//	Config fields: Burst, RetryBaseDelay/RetryMaxDelay, BatchWindow,
//	  InstanceBatchSize/SnapshotGroupBatchSize, WaitMinDelay/WaitMaxDelay/WaitGrowth, Transport
//	DefaultMaxRetries (Config.MaxRetries < 0 selects it; 0 = no retries)
//	*APIError{Action, Code, Message, RequestID, HTTPStatus, Transport, Timeout}
//	*SnapshotFailedError{SnapshotGroupID, FailedSnapshotIDs}   // from WaitSnapshotGroupDone
//	*WaitTimeoutError{What, LastStatus, Waited, LastErr}       // unwraps to context.DeadlineExceeded
//	Redact(s string) string                                   // strips secret query values
//
// Retry policy: throttling is retried for every call; transient errors (HTTP
// ≥ 500, ServiceUnavailable, InternalError, transport errors, timeouts) for
// reads, idempotent writes and ClientToken calls. Start/Stop/Delete are
// retried too, and when a retry after a lost answer is refused with
// IncorrectInstanceStatus (Start/Stop) or NotFound (Delete), the first
// attempt took effect and the call succeeds; the waiters confirm the state.
// CreateSnapshotGroup without a ClientToken is not retried on transient errors.
package ecsapi
