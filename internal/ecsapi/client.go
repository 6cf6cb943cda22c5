package ecsapi

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
	// Removes "sdk" from DEBUG before the SDK reads it (see the package):
	// the SDK's debug output prints signed URLs with every secret.
	_ "github.com/aliecs/terraform-provider-aliecs/internal/sdkdebug"
)

// Client makes typed ECS calls. It is safe for concurrent use: the SDK
// client is not, so every attempt gets a fresh *ecs.Client over one shared
// HTTP transport.
type Client struct {
	cfg       Config
	clock     clock.Clock
	creds     CredentialSource
	transport http.RoundTripper
	// secrets are the keys signed with so far, for the redactor.
	secrets *secretSet
	// readLimiter and writeLimiter: one rate limit per action class (see
	// Config.RequestsPerSecond).
	readLimiter, writeLimiter *tokenBucket
	// down remembers an endpoint that refused past the retry window.
	down endpointDown

	instanceBatcher *batcher[Instance]
	listing         regionListing
	groupBatcher    *batcher[SnapshotGroup]
	diskBatcher     *batcher[diskRead]
	keptDiskBatcher *batcher[diskRead]
	// What the disk batches learnt of the region's two listings (disk_batch.go).
	allDisks, keptDisks diskQuery
	roleBatcher         *batcher[string] // ram_roles.go
	// DeleteInstance without and with Force (release_batch.go).
	releases, forcedReleases *batcher[struct{}]
	releasesDenied           atomic.Bool // DeleteInstances refused by the RAM policy

	// How long transitions took in this process, for the waiters' polls.
	bootTimes, runningTimes, stoppedTimes, releaseTimes transitionTimes

	// jitter picks the actual backoff in [0, d]; tests replace it.
	jitter func(d time.Duration) time.Duration
}

// initEndpointMap builds the SDK's lazily initialised global endpoint map
// once, before any concurrent use (its first use is a data race otherwise).
var initEndpointMap sync.Once

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	initEndpointMap.Do(func() { _ = ecs.GetEndpointMap() })

	c := &Client{
		cfg:          cfg,
		clock:        cfg.Clock,
		creds:        cfg.Credentials,
		transport:    cfg.Transport,
		secrets:      &secretSet{},
		readLimiter:  newTokenBucket(cfg.Clock, cfg.RequestsPerSecond, cfg.Burst),
		writeLimiter: newTokenBucket(cfg.Clock, cfg.RequestsPerSecond, cfg.Burst),
		jitter:       fullJitter,
	}
	c.secrets.add(Credentials{AccessKeyID: cfg.AccessKeyID, AccessKeySecret: cfg.AccessKeySecret, SecurityToken: cfg.SecurityToken})
	if c.transport == nil {
		c.transport = newSharedTransport(cfg.ConnectTimeout)
	}
	c.instanceBatcher = newBatcher(instanceBatchWindow(cfg), cfg.InstanceBatchSize, c.describeInstancesByID)
	c.instanceBatcher.slideFor = instanceBatchSlide
	c.instanceBatcher.patience = c.writeBacklog
	c.groupBatcher = newBatcher(cfg.BatchWindow, cfg.SnapshotGroupBatchSize, c.describeSnapshotGroupsByID)
	c.allDisks = diskQuery{lister: &diskLister{}}
	c.keptDisks = diskQuery{lister: &diskLister{}, filter: keptDisksFilter}
	c.diskBatcher = newBatcher(max(cfg.BatchWindow, diskBatchWindow), MaxInstanceBatch, c.describeDisksOf(c.allDisks))
	c.diskBatcher.slideFor = diskBatchSlide
	c.diskBatcher.patience = c.writeBacklog
	c.keptDiskBatcher = newBatcher(max(cfg.BatchWindow, diskBatchWindow), MaxInstanceBatch, c.describeDisksOf(c.keptDisks))
	c.keptDiskBatcher.slideFor = diskBatchSlide
	c.keptDiskBatcher.patience = c.writeBacklog
	c.releases, c.forcedReleases = c.newReleaseBatcher(false), c.newReleaseBatcher(true)
	c.roleBatcher = newBatcher(max(cfg.BatchWindow, diskBatchWindow), roleBatchSize, c.describeInstanceRAMRoles)
	c.roleBatcher.slideFor = diskBatchSlide
	return c, nil
}

// NewTransport returns an HTTP transport for a Client and an STS client to
// share (connections, proxy settings), with this connect timeout.
func NewTransport(connectTimeout time.Duration) http.RoundTripper {
	return newSharedTransport(connectTimeout)
}

// newSharedTransport is the one transport every per-call SDK client uses.
// The connect timeout lives here because the SDK only sets it on a
// *http.Transport it owns, and mutating a shared one would race.
func newSharedTransport(connectTimeout time.Duration) *http.Transport {
	t := cloneDefaultTransport()
	t.DialContext = (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 32
	t.Proxy = http.ProxyFromEnvironment
	return t
}

// ctxTransport attaches the call's context to each HTTP request, so the
// SDK (which has no context parameter) is cancelled with the caller. It is
// deliberately not an *http.Transport: the SDK then leaves it unmodified.
type ctxTransport struct {
	ctx  context.Context
	base http.RoundTripper
	// observe, when set, is given each answer's Date (Config.ObserveServerTime).
	observe func(date, sent, received time.Time)
}

// RoundTrip also refuses every 3xx answer, so that net/http never follows a
// redirect: ECS never redirects, and following one would resend the signed
// request (security token, password, user data) wherever it points,
// https → http included.
func (t ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	sent := time.Now()
	resp, err := t.base.RoundTrip(req.WithContext(t.ctx))
	if err == nil && t.observe != nil {
		if date, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
			t.observe(date, sent, time.Now())
		}
	}
	if err != nil {
		return resp, err
	}
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		resp.Body = &cappedBody{body: resp.Body, left: MaxAnswerBytes,
			endpoint: strings.ToLower(req.URL.Scheme) + "://" + req.URL.Host, status: resp.StatusCode}
		return resp, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	_ = resp.Body.Close()
	return nil, &RedirectError{Status: resp.StatusCode, Location: RedactURL(resp.Header.Get("Location"))}
}

// MaxAnswerBytes caps every answer body the client reads. The largest ECS
// answers the provider asks for (100 instances of DescribeInstances, with
// their tags and disks) stay well under 1 MiB; without a cap, a broken or
// hostile endpoint could send 100 MB, or an endless body, into memory.
const MaxAnswerBytes = 16 << 20

// cappedBody is an answer body that fails once more than MaxAnswerBytes
// have been read.
type cappedBody struct {
	body     io.ReadCloser
	left     int64
	endpoint string
	status   int
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the cap from a longer one.
		var one [1]byte
		if n, _ := b.body.Read(one[:]); n == 0 {
			return 0, io.EOF
		}
		return 0, &AnswerTooLargeError{Endpoint: b.endpoint, Status: b.status}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.body.Close() }

// AnswerTooLargeError is an answer body longer than MaxAnswerBytes. It is
// permanent: the same endpoint would send the same answer again.
type AnswerTooLargeError struct {
	Endpoint string // scheme://host[:port], no user info or query
	Status   int
}

func (e *AnswerTooLargeError) Error() string {
	return fmt.Sprintf("the answer of %s (HTTP %d) is larger than %d MiB, far more than any ECS answer; it was "+
		"not read further and the call is not retried. Is the endpoint an ECS endpoint (a proxy or another "+
		"service in the way?)", e.Endpoint, e.Status, MaxAnswerBytes>>20)
}

// RedirectError is a 3xx answer, refused. Location is already redacted.
type RedirectError struct {
	Status   int
	Location string
}

func (e *RedirectError) Error() string {
	where := e.Location
	if where == "" {
		where = "(no Location)"
	}
	return fmt.Sprintf("the endpoint answered HTTP %d, a redirect to %s; ECS never redirects, so it was not "+
		"followed (is the endpoint right? a proxy or a captive portal in the way?)", e.Status, where)
}

// newSDKClient returns a fresh SDK client for one attempt, signing with
// creds through the SDK's static credentials provider.
func (c *Client) newSDKClient(ctx context.Context, creds Credentials) (*ecs.Client, error) {
	conf := sdk.NewConfig()
	conf.AutoRetry = false // retries are ours (see retry.go)
	conf.Scheme = c.cfg.Scheme
	conf.UserAgent = c.cfg.UserAgent
	conf.Transport = ctxTransport{ctx: ctx, base: c.transport, observe: c.cfg.ObserveServerTime}
	cl, err := ecs.NewClientWithOptions(c.cfg.RegionID, conf, sdkProvider(creds))
	if err != nil {
		return nil, err
	}
	if c.cfg.Endpoint != "" {
		cl.Domain = c.cfg.Endpoint
	}
	cl.SetReadTimeout(c.cfg.ReadTimeout)
	cl.SetConnectTimeout(c.cfg.ConnectTimeout)
	return cl, nil
}

// prepare sets what every request needs: the scheme (the SDK's default is
// HTTP) and the endpoint.
func (c *Client) prepare(req requests.AcsRequest) {
	req.SetScheme(c.cfg.Scheme)
	if c.cfg.Endpoint != "" {
		req.SetDomain(c.cfg.Endpoint)
	}
}

// cloneDefaultTransport is a copy of Go's default transport (its proxy,
// timeouts and TLS settings), or a plain one if a program embedding this
// package replaced http.DefaultTransport.
func cloneDefaultTransport() *http.Transport {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return &http.Transport{}
	}
	return base.Clone()
}

// instanceBatchSlide is how long callers that keep coming may hold an
// instance batch open (see batcher.slideFor): the reads of a wave of
// Terraform's operations, which starts them one by one.
const instanceBatchSlide = 100 * time.Millisecond

// instanceBatchWindow is how long an instance batch collects ids: at least
// the rate limit's interval between two calls (at most 25 ms). The calls of
// a wave come a few milliseconds apart, and with a 20 ms interval each one
// waits for the limiter anyway: a 5 ms window would send most of them as
// batches of one, each queued behind the other.
func instanceBatchWindow(cfg Config) time.Duration {
	if cfg.RequestsPerSecond <= 0 {
		return cfg.BatchWindow
	}
	interval := time.Duration(float64(time.Second) / cfg.RequestsPerSecond)
	return max(cfg.BatchWindow, min(interval, 25*time.Millisecond))
}
