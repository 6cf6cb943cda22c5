package ecsapi

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

// Defaults applied by New when a Config field is left at its zero value.
const (
	DefaultMaxRetries     = 5
	DefaultRetryBaseDelay = 200 * time.Millisecond
	DefaultRetryMaxDelay  = 20 * time.Second
	DefaultConnectTimeout = 5 * time.Second
	DefaultBatchWindow    = 5 * time.Millisecond
	// DefaultRefreshTTL and DefaultRefreshListPages shape RefreshInstance's
	// listing of the region: long enough to cover one refresh walk (a plan
	// of a thousand resources took 64 s on a busy 2-core machine; a
	// listing that expires mid-walk is paid again), and up to 2,000
	// instances. A provider process serves one walk of one command, and
	// this process's own writes never read from an older listing.
	DefaultRefreshTTL       = 2 * time.Minute
	DefaultRefreshListPages = 20
	DefaultRefreshListAfter = 10
	// MaxInstanceBatch is DescribeInstances' limit on InstanceIds.
	MaxInstanceBatch = 100
	// MaxSnapshotGroupBatch is DescribeSnapshotGroups' limit on SnapshotGroupId.N.
	MaxSnapshotGroupBatch = 10
	// DefaultWaitMinDelay is the first poll's delay after an action: early,
	// because a state change should be noticed soon after it happens.
	DefaultWaitMinDelay = 500 * time.Millisecond
	// DefaultWaitMaxDelay caps the growing poll interval. 2 s keeps the
	// lateness after a typical 5 s boot near 1 s; batched reads keep the
	// call count low when many waiters poll at once.
	DefaultWaitMaxDelay = 2 * time.Second
	// DefaultWaitGrowth multiplies the poll interval after each poll.
	DefaultWaitGrowth = 1.5
)

// Config configures a Client. Only RegionID and credentials (Credentials,
// or the access key pair) are required; every other zero value means "use
// the default".
type Config struct {
	RegionID        string
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string // STS; "" = plain access key

	// Credentials, when set, gives the keys of every attempt instead of the
	// three fields above (which are then ignored): a refreshing source
	// renews them before they expire, and once more when the service
	// refuses them as expired (credentials.go).
	Credentials CredentialSource

	// Endpoint is host[:port]; "" uses the SDK's regional endpoint.
	Endpoint string
	// VPCEndpoint is the VPC API's host[:port] (version 2016-04-28), for
	// the vSwitch facts; "" = ECS's own DescribeVSwitches at Endpoint
	// (deprecated on the service, still served). VPCScheme is its scheme
	// ("" = Scheme).
	VPCEndpoint string
	VPCScheme   string
	// EndpointSource says where Endpoint came from (e.g. `the provider
	// attribute "endpoint"`), for transport error messages.
	EndpointSource string
	// Scheme is "http" or "https" (default https: the SDK alone would use HTTP).
	Scheme string

	// MaxRetries is the number of retries after the first attempt:
	// 0 = no retries, negative = DefaultMaxRetries.
	MaxRetries int
	// RetryBaseDelay and RetryMaxDelay shape the exponential backoff
	// (full jitter). Zero = defaults (200 ms, 20 s).
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration

	// RequestsPerSecond limits every attempt of the calls of this Client,
	// for each action class on its own: the reads (Describe*) and the
	// writes each get this rate; 0 = unlimited. Burst is the bucket size
	// (default 1).
	RequestsPerSecond float64
	Burst             int

	// Clock is used for backoff, rate limiting and waiter sleeps; nil = clock.Real{}.
	Clock clock.Clock
	// ObserveServerTime, when set, is given the Date header of every
	// answer with the local times around the request (clock.Service.Observe),
	// so that time rules use the service's clock, not this machine's.
	ObserveServerTime func(date, sent, received time.Time)

	// UserAgent is appended to the SDK's User-Agent.
	UserAgent string

	// DisableBatching makes every GetInstance/GetSnapshotGroup its own call.
	DisableBatching bool
	// BatchWindow is how long a batch collects ids before it is sent
	// (default 5 ms); a batch is sent at once when it is full.
	BatchWindow time.Duration
	// InstanceBatchSize (≤100) and SnapshotGroupBatchSize (≤10) cap a batch; 0 = the API's limit.
	InstanceBatchSize      int
	SnapshotGroupBatchSize int

	// ConnectTimeout bounds the TCP connect (default 5 s). ReadTimeout
	// bounds one attempt from request to answer (default 15 s, where the
	// SDK alone would allow 10 s to 86 s per action).
	ConnectTimeout time.Duration
	ReadTimeout    time.Duration
	// NoAnswerFor bounds the time one call spends in attempts that timed
	// out (no answer within ReadTimeout, or no connection within
	// ConnectTimeout): another such attempt is made only if it would end
	// within it (default 30 s: two attempts at the default ReadTimeout;
	// negative = never retried). MaxRetries still applies.
	NoAnswerFor time.Duration
	// RefusedRetryFor is how long refused connections are retried before
	// the call fails (default 2 s; negative = not retried).
	RefusedRetryFor time.Duration

	// WaitMinDelay, WaitMaxDelay and WaitGrowth shape waiter polling:
	// first poll after WaitMinDelay, each next interval ×WaitGrowth, capped.
	WaitMinDelay time.Duration
	WaitMaxDelay time.Duration
	WaitGrowth   float64
	// WaitRelativeCap, when > 0, also caps the interval at this share of
	// the time waited so far (never below WaitMinDelay): 0.1 polls a 5 s
	// boot every 0.5 s near its end and a long wait every WaitMaxDelay.
	WaitRelativeCap float64
	// RefreshTTL is how long a listing of the region's instances answers
	// RefreshInstance (default 2 min; negative = never list, always
	// GetInstance). RefreshListPages caps the listing (default 20 pages of
	// 100; a larger region is listed by the ownership tag). The first
	// refresh read reads the first page; RefreshListAfter caps how many
	// reads the listing may miss before the rest is read (default 10, fewer
	// when the rest has fewer pages; negative = read it all at once).
	RefreshTTL       time.Duration
	RefreshListPages int
	RefreshListAfter int

	// WaitAlign, when > 0, moves each poll to the next multiple of it on the
	// clock, so concurrent waiters share batched reads. 0 = off.
	WaitAlign time.Duration

	// Transport replaces the shared HTTP transport (NewTransport, to share
	// it with STS; or a test's); nil = a tuned clone of http.DefaultTransport.
	Transport http.RoundTripper
}

var regionIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// withDefaults validates cfg and fills in defaults.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.RegionID == "" {
		return cfg, fmt.Errorf("ecsapi: region id is required")
	}
	if !regionIDPattern.MatchString(cfg.RegionID) {
		return cfg, fmt.Errorf("ecsapi: region id %q may contain only letters, digits, '-' and '_'", cfg.RegionID)
	}
	if cfg.Credentials == nil {
		if cfg.AccessKeyID == "" || cfg.AccessKeySecret == "" {
			return cfg, fmt.Errorf("ecsapi: access key id and access key secret are required")
		}
		cfg.Credentials = StaticCredentials(cfg.AccessKeyID, cfg.AccessKeySecret, cfg.SecurityToken)
	}
	switch strings.ToLower(cfg.Scheme) {
	case "", "https":
		cfg.Scheme = "HTTPS"
	case "http":
		cfg.Scheme = "HTTP"
	default:
		return cfg, fmt.Errorf("ecsapi: scheme %q is not allowed: use \"http\" or \"https\"", cfg.Scheme)
	}
	switch strings.ToLower(cfg.VPCScheme) {
	case "":
		cfg.VPCScheme = cfg.Scheme
	case "https":
		cfg.VPCScheme = "HTTPS"
	case "http":
		cfg.VPCScheme = "HTTP"
	default:
		return cfg, fmt.Errorf("ecsapi: VPC scheme %q is not allowed: use \"http\" or \"https\"", cfg.VPCScheme)
	}
	if strings.ContainsAny(cfg.VPCEndpoint, "/@?#") {
		return cfg, fmt.Errorf("ecsapi: VPC endpoint %q must be host[:port] without a scheme or path", RedactURL(cfg.VPCEndpoint))
	}
	if strings.ContainsAny(cfg.Endpoint, "/@?#") {
		return cfg, fmt.Errorf("ecsapi: endpoint %q must be host[:port] without a scheme or path", RedactURL(cfg.Endpoint))
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.RetryBaseDelay <= 0 {
		cfg.RetryBaseDelay = DefaultRetryBaseDelay
	}
	if cfg.RetryMaxDelay <= 0 {
		cfg.RetryMaxDelay = DefaultRetryMaxDelay
	}
	if cfg.RetryMaxDelay < cfg.RetryBaseDelay {
		cfg.RetryMaxDelay = cfg.RetryBaseDelay
	}
	if cfg.RequestsPerSecond < 0 {
		return cfg, fmt.Errorf("ecsapi: requests per second must be ≥ 0 (0 = unlimited), got %v", cfg.RequestsPerSecond)
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 1
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.BatchWindow <= 0 {
		cfg.BatchWindow = DefaultBatchWindow
	}
	if cfg.InstanceBatchSize <= 0 || cfg.InstanceBatchSize > MaxInstanceBatch {
		cfg.InstanceBatchSize = MaxInstanceBatch
	}
	if cfg.SnapshotGroupBatchSize <= 0 || cfg.SnapshotGroupBatchSize > MaxSnapshotGroupBatch {
		cfg.SnapshotGroupBatchSize = MaxSnapshotGroupBatch
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	switch {
	case cfg.NoAnswerFor == 0:
		cfg.NoAnswerFor = DefaultNoAnswerFor
	case cfg.NoAnswerFor < 0:
		cfg.NoAnswerFor = 0
	}
	switch {
	case cfg.RefusedRetryFor == 0:
		cfg.RefusedRetryFor = DefaultRefusedRetryFor
	case cfg.RefusedRetryFor < 0:
		cfg.RefusedRetryFor = 0
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = DefaultRefreshTTL
	}
	if cfg.RefreshListPages <= 0 {
		cfg.RefreshListPages = DefaultRefreshListPages
	}
	switch {
	case cfg.RefreshListAfter == 0:
		cfg.RefreshListAfter = DefaultRefreshListAfter
	case cfg.RefreshListAfter < 0:
		cfg.RefreshListAfter = 0
	}
	if cfg.WaitMinDelay <= 0 {
		cfg.WaitMinDelay = DefaultWaitMinDelay
	}
	if cfg.WaitMaxDelay <= 0 {
		cfg.WaitMaxDelay = DefaultWaitMaxDelay
	}
	if cfg.WaitMaxDelay < cfg.WaitMinDelay {
		cfg.WaitMaxDelay = cfg.WaitMinDelay
	}
	if cfg.WaitGrowth < 1 {
		cfg.WaitGrowth = DefaultWaitGrowth
	}
	return cfg, nil
}
