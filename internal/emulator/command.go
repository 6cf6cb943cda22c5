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
	"time"
)

// RunCommand is the ecs-emulator command: it parses args, listens, prints
// "ecs-emulator listening on http://ADDR" to stdout when ready, logs one line
// per request to stderr, and returns the exit code once ctx is cancelled
// (main cancels it on SIGINT/SIGTERM).
func RunCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ecs-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8085", "address to listen on (host:port; port 0 picks a free port)")
	akID := fs.String("access-key-id", DefaultAccessKeyID, "accepted access key id")
	akSecret := fs.String("access-key-secret", DefaultAccessKeySecret, "accepted access key secret")
	token := fs.String("security-token", "", "STS security token the key requires (empty: plain AccessKey)")
	boot := fs.Duration("boot-time", 0, "time from RunInstances/StartInstance to Running (0 = at once)")
	stop := fs.Duration("stop-time", 0, "time from StopInstance to Stopped (0 = at once)")
	gracefulStop := fs.Duration("graceful-stop-time", 0, "time from StopInstance without ForceStop to Stopped (0 = --stop-time)")
	snap := fs.Duration("snapshot-time", 0, "time for a snapshot to reach accomplished (0 = at once)")
	stateFile := fs.String("state-file", "", "load state from and save it to this file (empty: memory only)")
	offset := fs.Duration("clock-offset", 0, "offset of the emulator clock from the wall clock")
	allowRemote := fs.Bool("allow-remote", false, "allow listening on a non-loopback address")
	quiet := fs.Bool("quiet", false, "do not log one line per request")
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
	if !*allowRemote && !loopbackListenAddr(*listen) {
		fmt.Fprintf(stderr, "ecs-emulator: refusing to listen on non-loopback address %q without --allow-remote\n", *listen)
		return 2
	}
	sts, err := stsOptions()
	if err != nil {
		fmt.Fprintf(stderr, "ecs-emulator: %v\n", err)
		return 2
	}
	logger := log.New(stderr, "", log.LstdFlags)
	opts := Options{
		Credentials: []Credential{{AccessKeyID: *akID, AccessKeySecret: *akSecret, SecurityToken: *token}},
		BootTime:    *boot, StopTime: *stop, SnapshotTime: *snap, StateFile: *stateFile, ClockOffset: *offset,
		GracefulStopTime: *gracefulStop, STS: sts,
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
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, ErrorLog: logger}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
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
