// Package ecsapi is the only code in the provider that talks to Alibaba Cloud
// ECS. It wraps the alibaba-cloud-sdk-go ECS client in typed calls that take
// a context and return this package's types (Instance, Disk, SnapshotGroup,
// Snapshot) and errors (*APIError).
//
// Make one Client per provider configuration and share it; it is safe for
// concurrent use:
//
//	c, err := ecsapi.New(ecsapi.Config{RegionID: "cn-hangzhou", AccessKeyID: key, AccessKeySecret: secret})
//	id, err := c.RunInstance(ctx, ecsapi.RunInstanceInput{ClientToken: token, ImageID: image, ...})
//	inst, err := c.WaitInstanceCreated(ctx, id, ecsapi.StatusRunning)
//	err = c.StopInstance(ctx, id, ecsapi.StopInput{})
//	if ecsapi.IsNotFound(err) { ... } // the instance is gone
//
// Only RegionID and credentials are required; Config documents the rest
// (endpoint, retries, rate limit, batching, polling, timeouts).
//
// # Credentials
//
// Config.Credentials is a CredentialSource: StaticCredentials (an access
// key, or STS keys with their token), or one that renews its keys:
// STS.AssumeRoleSource (AssumeRole with the keys of another source, so
// sources chain), STS.OIDCRoleSource (AssumeRoleWithOIDC, the token read
// again at each renewal) and InstanceRoleSource (the RAM role of the ECS
// machine, from its metadata service, IMDSv2 first). A renewing source is
// shared by every call: it renews one at a time, a quarter of the keys'
// life (at most three minutes) before they expire, keeps using valid keys
// when a renewal fails, and renews once more when the service refuses its
// keys with InvalidSecurityToken.Expired, after which the call is repeated
// at once (every kind of call: the service refused before acting). Each
// attempt signs with the SDK's static credentials provider for the keys of
// that moment. STS is called through the SDK's services/sts client (the
// unsigned AssumeRoleWithOIDC as a plain form POST, which follows no
// redirect), over the same transport wrapper as ECS, with the caller's
// context and retries on throttling. A source that fails returns a
// *CredentialError naming it.
//
// # What every call does
//
// Each call waits for the client's rate limit (Config.RequestsPerSecond,
// shared by every call), sends the request, and retries with exponential
// backoff and jitter, never past the context's deadline. Throttling is
// always retried: the service refused before acting. A transient failure
// (HTTP 5xx, ServiceUnavailable, InternalError, a transport error or a
// timeout) leaves it unknown whether the call acted, so it is retried only
// when acting twice is harmless: reads, Modify* and tag calls, and calls with
// a ClientToken (RunInstance; CreateSnapshotGroup when given one).
// StartInstance, StopInstance, DeleteInstance and DeleteSnapshotGroup are
// retried too, and when the retry is refused because the first attempt had
// already acted (IncorrectInstanceStatus for Start and Stop, not found for
// the deletes), the call succeeds; a waiter then confirms the state.
//
// Transport failures are sorted (TransportFailure) so that none costs
// minutes: a refused connection is retried for Config.RefusedRetryFor (2 s;
// then the client knows the endpoint is down for as long, and its calls fail
// at once with the same error: IsEndpointDown),
// a TLS handshake or DNS failure is never retried, and attempts that get no
// answer within Config.ReadTimeout (15 s) are retried only within
// Config.NoAnswerFor (30 s). The error then names the endpoint, where it
// came from (Config.EndpointSource) and what to do ("Did you mean
// http://…?" when HTTPS met a plain HTTP server). Slow 5xx answers share
// the NoAnswerFor budget, and an answer body over MaxAnswerBytes (16 MiB) is
// a permanent error (AnswerTooLargeError) that names the endpoint.
//
// A failed call returns an *APIError with the action, the service's code,
// message and request id, or Transport set when no answer came. Classify it
// with IsNotFound, IsWrongState, IsThrottling, IsTransient and ErrorCode.
// Credentials (those renewed during the run too), OIDC tokens, passwords
// and signatures never appear in error text or in the debug log lines (one
// per attempt, through tflog); Redact does the same for any other text.
//
// # Reads
//
// GetInstance and GetSnapshotGroup return one object or a not-found error.
// Concurrent calls within Config.BatchWindow share one Describe call (up to
// 100 instances or 10 groups). RefreshInstance is GetInstance for Terraform's
// refresh: its first read reads the first page of the region's instances
// (100), and once the listing has missed as many reads as the rest has
// pages (at most Config.RefreshListAfter) the rest, up to
// Config.RefreshListPages (a larger region by the provider's ownership tag);
// it answers from that listing for Config.RefreshTTL. An id the listing
// lacks is read by id, so it never reports a live instance gone. An instance
// this Client wrote to while or after the listing was asked is read by id,
// so a refresh never sees it as it was before the write.
// ListInstances, ListDisks and ListSnapshotGroups read every page.
// GetSnapshotGroup and ListSnapshotGroups fill in each snapshot's size,
// retention and status from DescribeSnapshots.
//
// # Images, resize, restore
//
// CreateImage (from a system-disk snapshot, with a required ClientToken),
// GetImage, ListImages (custom images by tag), DeleteImage (force deletes an
// image in use; an image already gone counts as deleted) and
// WaitImageAvailable serve the restore of an instance from a snapshot group;
// RunInstanceInput's DataDiskSpec.SnapshotID makes a data disk from a
// snapshot. ModifyInstanceType (ModifyInstanceSpec of a stopped instance) and
// ResizeDisk (online or offline) take a ClientToken, so a retry after a lost
// answer changes nothing twice. DeleteSnapshotGroup returns the snapshots the
// service kept (an image uses them, or disks were made from them).
//
// # Waiting
//
// WaitInstanceStatus, WaitInstanceCreated, WaitInstanceVisible,
// WaitInstanceGone, WaitSnapshotGroupDone, WaitSnapshotGroupGone and
// WaitImageAvailable poll at
// growing intervals (Config.WaitMinDelay, WaitGrowth, WaitMaxDelay) until the
// target, a state the resource will not leave (a failed snapshot group gives
// *SnapshotFailedError), or the context's deadline (*WaitTimeoutError, which
// unwraps to context.DeadlineExceeded). Right after a create the service may
// not list the new instance yet, so WaitInstanceCreated reads "not found" as
// "not visible yet" for NewInstanceVisibilityGrace, and WaitInstanceVisible
// until the deadline; the other instance waiters take it as "gone".
//
// Time comes from Config.Clock, so tests drive backoff, rate limiting and
// polling with a fake clock and never sleep.
//
// # Inside the package
//
// Every ECS call goes through invoke (one request) or listAll (every page of
// a listing), and both go through Client.do: rate limit, retries, logging.
// A call that writes to an instance names it in call.instanceID, and do
// drops it from the refresh listing before and after; no method has to
// remember to.
package ecsapi
