package emulator

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

// Environment variables that the command reads, so that secrets need not
// be flags (flags show in ps). A flag given explicitly wins. The
// ALIBABA_CLOUD_* names are deliberately not read: they hold a real key.
const (
	EnvAccessKeyID   = "ALIECS_EMULATOR_ACCESS_KEY_ID"
	EnvSecret        = "ALIECS_EMULATOR_SECRET"
	EnvSecurityToken = "ALIECS_EMULATOR_SECURITY_TOKEN"
	EnvAdminToken    = "ALIECS_EMULATOR_ADMIN_TOKEN"
)

// Defaults of the HTTP server's limits (README, "Limits").
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = time.Minute
	DefaultWriteTimeout      = 2 * time.Minute
	DefaultIdleTimeout       = time.Minute
	DefaultMaxConnections    = 256
)

// RunCommand is the ecs-emulator command: it parses args, listens, prints
// "ecs-emulator listening on http://ADDR" to stdout when ready, logs one line
// per request to stderr, and returns the exit code once ctx is cancelled
// (main cancels it on SIGINT/SIGTERM).
func RunCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runCommand(ctx, args, os.Getenv, stdout, stderr)
}

func runCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "oidc-token" {
		return runOIDCToken(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("ecs-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8085", "address to listen on (host:port; port 0 picks a free port)")
	akID := fs.String("access-key-id", DefaultAccessKeyID, "accepted access key id (or "+EnvAccessKeyID+")")
	akSecret := fs.String("access-key-secret", DefaultAccessKeySecret,
		"accepted access key secret (or "+EnvSecret+", which ps does not show)")
	token := fs.String("security-token", "", "STS security token the key requires (or "+EnvSecurityToken+"; empty: plain AccessKey)")
	adminToken := fs.String("admin-token", "", "token the admin API requires as Authorization: Bearer (or "+EnvAdminToken+
		"); required with --allow-remote")
	boot := fs.Duration("boot-time", 0, "time from RunInstances/StartInstance to Running (0 = at once)")
	stop := fs.Duration("stop-time", 0, "time from StopInstance to Stopped (0 = at once)")
	gracefulStop := fs.Duration("graceful-stop-time", 0, "time from StopInstance without ForceStop to Stopped (0 = --stop-time)")
	snap := fs.Duration("snapshot-time", 0, "time for a snapshot to reach accomplished (0 = at once)")
	imageTime := fs.Duration("image-time", 0, "time for a custom image to become Available (0 = at once)")
	stateFile := fs.String("state-file", "", "load state from and save it to this file (empty: memory only)")
	offset := fs.Duration("clock-offset", 0, "offset of the emulator clock from the wall clock")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback listen address and any Host header "+
		"(needs an admin token and a key secret of your own)")
	quiet := fs.Bool("quiet", false, "do not log one line per request")
	readHeaderTimeout := fs.Duration("read-header-timeout", DefaultReadHeaderTimeout, "time to read a request's headers")
	readTimeout := fs.Duration("read-timeout", DefaultReadTimeout, "time to read a whole request")
	writeTimeout := fs.Duration("write-timeout", DefaultWriteTimeout, "time from a request's headers to the end of its answer "+
		"(a fault's delay_ms beyond it loses the answer)")
	idleTimeout := fs.Duration("idle-timeout", DefaultIdleTimeout, "how long an idle keep-alive connection stays open")
	maxConns := fs.Int("max-connections", DefaultMaxConnections, "connections served at once; more wait")
	stsOptions := stsFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ecs-emulator: unexpected arguments %v\n", fs.Args())
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fromEnv := func(flagName string, v *string, env string) {
		if set[flagName] {
			if env != EnvAccessKeyID && *v != "" {
				fmt.Fprintf(stderr, "ecs-emulator: note: --%s shows in ps to every user of this machine; %s does not\n", flagName, env)
			}
			return
		}
		if got := getenv(env); got != "" {
			*v = got
			set[flagName] = true
		}
	}
	fromEnv("access-key-id", akID, EnvAccessKeyID)
	fromEnv("access-key-secret", akSecret, EnvSecret)
	fromEnv("security-token", token, EnvSecurityToken)
	fromEnv("admin-token", adminToken, EnvAdminToken)
	if *readHeaderTimeout <= 0 || *readTimeout <= 0 || *writeTimeout <= 0 || *idleTimeout <= 0 || *maxConns <= 0 {
		fmt.Fprintln(stderr, "ecs-emulator: the timeouts and --max-connections must be positive")
		return 2
	}
	if !*allowRemote && !loopbackListenAddr(*listen) {
		fmt.Fprintf(stderr, "ecs-emulator: refusing to listen on non-loopback address %q without --allow-remote\n", *listen)
		return 2
	}
	if *allowRemote {
		if *akSecret == DefaultAccessKeySecret {
			fmt.Fprintf(stderr, "ecs-emulator: --allow-remote refuses the public default key secret %q: "+
				"choose a secret of your own with %s (or --access-key-secret)\n", DefaultAccessKeySecret, EnvSecret)
			return 2
		}
		if *adminToken == "" {
			fmt.Fprintf(stderr, "ecs-emulator: --allow-remote requires an admin token: set %s (or --admin-token)\n", EnvAdminToken)
			return 2
		}
	}
	sts, err := stsOptions()
	if err != nil {
		fmt.Fprintf(stderr, "ecs-emulator: %v\n", err)
		return 2
	}
	logger := log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)
	opts := Options{
		Credentials: []Credential{{AccessKeyID: *akID, AccessKeySecret: *akSecret, SecurityToken: *token}},
		BootTime:    *boot, StopTime: *stop, SnapshotTime: *snap, StateFile: *stateFile, ClockOffset: *offset,
		GracefulStopTime: *gracefulStop, AllowRemote: *allowRemote, AdminToken: *adminToken, ImageTime: *imageTime,
		STS: sts,
	}
	if !*quiet {
		opts.Logf = logger.Printf
	}
	e, err := New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "ecs-emulator: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "ecs-emulator: %v\n", err)
		return 1
	}
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: *readHeaderTimeout,
		ReadTimeout:       *readTimeout,
		WriteTimeout:      *writeTimeout,
		IdleTimeout:       *idleTimeout,
		ErrorLog:          logger,
	}
	limited := newLimitListener(ln, *maxConns)
	srv.ConnState = limited.connState
	done := make(chan error, 1)
	go func() { done <- srv.Serve(limited) }()
	if *allowRemote {
		fmt.Fprintln(stderr, exposureWarning(ln.Addr().String()))
	}
	fmt.Fprintf(stdout, "ecs-emulator listening on http://%s\n", ln.Addr())

	tick := time.NewTicker(time.Second) // fires auto-releases with no traffic
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			e.Tick()
		case err := <-done:
			fmt.Fprintf(stderr, "ecs-emulator: %v\n", err)
			_ = e.Close()
			return 1
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = srv.Shutdown(sctx)
			cancel()
			if err := e.Close(); err != nil {
				fmt.Fprintf(stderr, "ecs-emulator: saving state: %v\n", err)
				return 1
			}
			fmt.Fprintln(stderr, "ecs-emulator: stopped")
			return 0
		}
	}
}

// exposureWarning says what --allow-remote exposes on addr.
func exposureWarning(addr string) string {
	where := "on " + addr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			where = "on every interface of this machine (" + addr + ")"
		}
	}
	return "ecs-emulator: WARNING: --allow-remote: the ECS API, the STS API, the instance metadata service and the admin API are served " + where +
		" over plain HTTP, to any Host name. Whoever can reach it sees requests, answers, instance passwords, " +
		"user data, STS keys and the admin token in clear; whoever has the access key secret can create and delete " +
		"instances and assume every configured role through STS; whoever has the admin token can also read the " +
		"instance role's STS keys from the metadata service (it needs the token under --allow-remote), read the whole " +
		"state, move the clock (firing auto-releases), inject faults and reset everything. Put it behind TLS, or keep it on a network you trust."
}

// loopbackListenAddr reports whether addr only accepts local connections.
func loopbackListenAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
