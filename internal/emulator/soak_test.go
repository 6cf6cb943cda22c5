package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// soakServer is one life of the emulator: an http.Server on a loopback
// listener, serving an Emulator loaded from the state file. stop models a
// process that goes away: the listener and every connection are closed at
// once (requests in flight get transport errors), handlers that had already
// started finish (their answers go nowhere), no new handler starts, and the
// emulator is closed, all before the next life loads the file.
type soakServer struct {
	e    *Emulator
	srv  *http.Server
	addr string
	done chan struct{}

	mu       sync.Mutex
	closed   bool
	inflight int
}

func (s *soakServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		panic(http.ErrAbortHandler) // a stopped process answers nothing
	}
	s.inflight++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inflight--
		s.mu.Unlock()
	}()
	s.e.ServeHTTP(w, r)
}

// stop closes the server and, with flush, the emulator (Close writes the state
// file once more); without flush it is a crash: the file holds only what the
// saves after each change wrote. It returns how many requests were inside the
// emulator when the server went away.
func (s *soakServer) stop(t *testing.T, flush bool) int {
	t.Helper()
	_ = s.srv.Close()
	s.mu.Lock()
	s.closed = true
	cut := s.inflight
	s.mu.Unlock()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		s.mu.Lock()
		n := s.inflight
		s.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests still inside the stopped emulator after 5s", n)
		}
	}
	if flush {
		if err := s.e.Close(); err != nil {
			t.Fatalf("closing the emulator: %v", err)
		}
	}
	<-s.done
	return cut
}

// startSoakServer loads the state file and serves it on addr, retrying
// briefly while the previous life's port is not free yet.
func startSoakServer(t *testing.T, stateFile, addr string) *soakServer {
	t.Helper()
	e, err := New(Options{StateFile: stateFile})
	if err != nil {
		t.Fatalf("restart from the state file: %v", err)
	}
	var ln net.Listener
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("listen again on %s: %v", addr, err)
		}
	}
	s := &soakServer{e: e, addr: ln.Addr().String(), done: make(chan struct{})}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln); close(s.done) }()
	return s
}

// soakWrite is one write a worker sent and whether it was acknowledged.
type soakWrite struct {
	value string
	acked bool
}

// soakExpect checks the no-lost-update rule on one field: the final value is
// the last acknowledged write, or a write after it that got no answer (it may
// have been applied before its connection was cut).
func soakExpect(writes []soakWrite, got string) (string, bool) {
	last := -1
	for i, w := range writes {
		if w.acked {
			last = i
		}
	}
	if last < 0 {
		return "(no acknowledged write)", true
	}
	for _, w := range writes[last:] {
		if w.value == got {
			return writes[last].value, true
		}
	}
	return writes[last].value, false
}

// TestSoak is a bounded soak of the emulator (loopback only, a fixed number of
// requests, a deadline) with concurrent real-SDK clients and restarts from
// the --state-file in the middle of the load.
//
// Each worker has its own SDK client and a fixed script: RunInstances of three
// own instances (own ClientTokens), then rounds of RunInstances with a shared
// ClientToken (the same tokens from every worker) and again with one of its
// own tokens, ModifyInstanceAttribute renames, ModifyInstanceAutoReleaseTime
// and TagResources with values that increase per worker, and a DeleteInstance
// of one own instance halfway. While they
// run, the test stops the server (listener, connections and emulator) and
// starts a new emulator from the same state file on the same address, twice:
// the first stop closes the emulator (Close flushes the file), the second is
// a crash (no Close: the file holds what the save after each change wrote).
// Requests that hit a restart fail with transport errors; the workers retry
// them (bounded) with the same ClientToken or the same value.
//
// Checked on the last emulator and again on one loaded from the file after a
// last crash-style stop: every ClientToken answered one instance and that instance exists;
// no other instance exists; acknowledged deletes stay deleted; each own
// instance's name, auto-release time and tag are its worker's last
// acknowledged write (no lost update).
func TestSoak(t *testing.T) {
	const (
		workers, shared, rounds = 8, 4, 6
		restarts                = 2
		maxAttempts             = 60
	)
	perWorker := 3 + rounds*(2+2*3) + 1
	total := workers * perWorker

	deadline := time.Now().Add(60 * time.Second)
	if d, ok := t.Deadline(); ok && d.Add(-5*time.Second).Before(deadline) {
		deadline = d.Add(-5 * time.Second)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()

	stateFile := filepath.Join(t.TempDir(), "state.json")
	srv := startSoakServer(t, stateFile, "127.0.0.1:0")
	addr := srv.addr // the same address for every life

	rc := buildRegion(testRegion)
	runReq := func(token string) *ecs.RunInstancesRequest {
		req := ecs.CreateRunInstancesRequest()
		req.Scheme = "http"
		req.RegionId = testRegion
		req.ImageId = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
		req.InstanceType = "ecs.g7.large"
		req.VSwitchId = rc.VSwitches[0].ID
		req.SecurityGroupId = rc.SecurityGroups[0].ID
		req.Amount = requests.NewInteger(1)
		req.ClientToken = token
		return req
	}
	releaseBase := time.Now().UTC().Add(3 * time.Hour).Truncate(time.Minute)

	var acked, attempts, transportErrs atomic.Int64
	var tokMu, cutMu sync.Mutex
	cutBy := map[string]int{} // attempts that hit a restart, per action
	sharedIDs := make([][]string, shared)

	type ownInst struct {
		id                  string
		names, release, tag []soakWrite
	}
	type worker struct {
		own          [3]ownInst // 0 and 1 are modified, 2 is deleted halfway
		deleteAcked  bool
		err          error
		ambiguousDel bool // the delete's retry found the instance gone
	}
	ws := make([]*worker, workers)
	// The SDK's client constructor races with itself: build them first.
	clients := make([]*ecs.Client, workers)
	for w := range clients {
		c, err := ecs.NewClientWithAccessKey(testRegion, DefaultAccessKeyID, DefaultAccessKeySecret)
		if err != nil {
			t.Fatal(err)
		}
		c.Domain = addr
		c.SetConnectTimeout(2 * time.Second)
		c.SetReadTimeout(5 * time.Second)
		clients[w] = c
		ws[w] = &worker{}
	}

	// send runs one request until it is answered: transport errors (the
	// restart) are retried with a fresh, identical request; an API error ends
	// it. It reports whether the request was acknowledged and whether any
	// attempt was cut by a restart.
	send := func(action string, do func() error) (ok, cut bool, err error) {
		for i := 1; i <= maxAttempts; i++ {
			if ctx.Err() != nil {
				return false, cut, fmt.Errorf("soak deadline: %w", ctx.Err())
			}
			attempts.Add(1)
			err = do()
			if err == nil {
				acked.Add(1)
				return true, cut, nil
			}
			var se *sdkerrors.ServerError
			if errors.As(err, &se) {
				return false, cut, err
			}
			cut = true
			transportErrs.Add(1)
			cutMu.Lock()
			cutBy[action]++
			cutMu.Unlock()
			time.Sleep(time.Duration(min(i, 10)) * 5 * time.Millisecond)
		}
		return false, cut, fmt.Errorf("no answer after %d attempts: %w", maxAttempts, err)
	}

	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c, me := clients[w], ws[w]
			fail := func(what string, err error) { me.err = fmt.Errorf("worker %d %s: %w", w, what, err) }
			run := func(token string) (string, error) {
				var id string
				_, _, err := send("RunInstances", func() error {
					resp, err := c.RunInstances(runReq(token))
					if err == nil {
						id = resp.InstanceIdSets.InstanceIdSet[0]
					}
					return err
				})
				return id, err
			}
			for i := range me.own {
				id, err := run(fmt.Sprintf("soak-own-%02d-%d", w, i))
				if err != nil {
					fail("RunInstances", err)
					return
				}
				me.own[i].id = id
			}
			for r := 0; r < rounds; r++ {
				// Every round asks for a shared token and again for one of
				// its own: the same token must give the same instance on
				// every life of the emulator.
				k := (w + r) % shared
				id, err := run(fmt.Sprintf("soak-shared-%02d", k))
				if err != nil {
					fail("RunInstances shared", err)
					return
				}
				tokMu.Lock()
				sharedIDs[k] = append(sharedIDs[k], id)
				tokMu.Unlock()
				own := &me.own[r%len(me.own)]
				if id, err = run(fmt.Sprintf("soak-own-%02d-%d", w, r%len(me.own))); err != nil {
					fail("RunInstances again", err)
					return
				}
				if id != own.id {
					t.Errorf("worker %d: own ClientToken %d answered %s, then %s", w, r%len(me.own), own.id, id)
				}
				if r == rounds/2 {
					id := me.own[2].id
					_, cut, err := send("DeleteInstance", func() error {
						req := ecs.CreateDeleteInstanceRequest()
						req.Scheme, req.RegionId, req.InstanceId = "http", testRegion, id
						req.Force = requests.NewBoolean(true)
						_, err := c.DeleteInstance(req)
						return err
					})
					var se *sdkerrors.ServerError
					switch {
					case err == nil:
						me.deleteAcked = true
					case cut && errors.As(err, &se) && se.ErrorCode() == "InvalidInstanceId.NotFound":
						me.ambiguousDel = true // a cut attempt was applied: gone all the same
					default:
						fail("DeleteInstance", err)
						return
					}
				}
				for i := 0; i < 2; i++ {
					in := &me.own[i]
					name := fmt.Sprintf("soak-w%02d-i%d-r%02d", w, i, r)
					ok, _, err := send("ModifyInstanceAttribute", func() error {
						req := ecs.CreateModifyInstanceAttributeRequest()
						req.Scheme, req.RegionId, req.InstanceId = "http", testRegion, in.id
						req.InstanceName = name
						_, err := c.ModifyInstanceAttribute(req)
						return err
					})
					in.names = append(in.names, soakWrite{name, ok})
					if err != nil {
						fail("ModifyInstanceAttribute", err)
						return
					}
					at := releaseBase.Add(time.Duration(r*2+i) * time.Minute)
					ok, _, err = send("ModifyInstanceAutoReleaseTime", func() error {
						req := ecs.CreateModifyInstanceAutoReleaseTimeRequest()
						req.Scheme, req.RegionId, req.InstanceId = "http", testRegion, in.id
						req.AutoReleaseTime = at.Format("2006-01-02T15:04:05Z")
						_, err := c.ModifyInstanceAutoReleaseTime(req)
						return err
					})
					in.release = append(in.release, soakWrite{at.Format("2006-01-02T15:04Z"), ok})
					if err != nil {
						fail("ModifyInstanceAutoReleaseTime", err)
						return
					}
					val := fmt.Sprintf("r%02d", r)
					ok, _, err = send("TagResources", func() error {
						req := ecs.CreateTagResourcesRequest()
						req.Scheme, req.RegionId, req.ResourceType = "http", testRegion, "instance"
						req.ResourceId = &[]string{in.id}
						req.Tag = &[]ecs.TagResourcesTag{{Key: "soak-round", Value: val}}
						_, err := c.TagResources(req)
						return err
					})
					in.tag = append(in.tag, soakWrite{val, ok})
					if err != nil {
						fail("TagResources", err)
						return
					}
				}
			}
		}(w)
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()

	// Restart mid-load: after 1/3 and 2/3 of the requests were acknowledged.
	start := time.Now()
	inServer := 0
	done := false
	for k := 1; k <= restarts && !done; k++ {
		threshold := int64(total * k / (restarts + 1))
		for !done && acked.Load() < threshold {
			select {
			case <-finished:
				done = true
			case <-ctx.Done():
				t.Fatalf("soak deadline before restart %d (%d of %d requests acknowledged)", k, acked.Load(), total)
			case <-time.After(time.Millisecond):
			}
		}
		if done {
			t.Fatalf("the workers finished before restart %d: the restart would not be mid-load", k)
		}
		inServer += srv.stop(t, k == 1)
		srv = startSoakServer(t, stateFile, addr)
	}
	select {
	case <-finished:
	case <-ctx.Done():
		t.Fatalf("soak deadline: %d of %d requests acknowledged", acked.Load(), total)
	}
	elapsed := time.Since(start)
	for _, w := range ws {
		if w.err != nil {
			t.Error(w.err)
		}
	}
	if t.Failed() {
		srv.stop(t, true)
		return
	}
	if transportErrs.Load() == 0 {
		t.Errorf("no request hit a restart: the restarts were not under load")
	}

	check := func(label string, st State) {
		byID := map[string]Instance{}
		for _, in := range st.Instances {
			byID[in.InstanceId] = in
		}
		if want := workers*2 + shared; len(st.Instances) != want {
			t.Errorf("%s: %d instances, want %d (two kept per worker, one per shared token)", label, len(st.Instances), want)
		}
		for k, ids := range sharedIDs {
			if want := workers * rounds / shared; len(ids) != want {
				t.Errorf("%s: shared token %d answered %d times, want %d", label, k, len(ids), want)
			}
			for _, id := range ids {
				if id != ids[0] {
					t.Errorf("%s: shared token %d answered two instances: %s and %s", label, k, ids[0], id)
				}
			}
			if _, ok := byID[ids[0]]; !ok {
				t.Errorf("%s: instance %s of shared token %d is gone", label, ids[0], k)
			}
		}
		for w, me := range ws {
			if _, ok := byID[me.own[2].id]; ok {
				t.Errorf("%s: instance %s of worker %d was deleted (acknowledged: %v) but exists", label, me.own[2].id, w, me.deleteAcked)
			}
			for i := 0; i < 2; i++ {
				in := me.own[i]
				got, ok := byID[in.id]
				if !ok {
					t.Errorf("%s: instance %s of worker %d is gone", label, in.id, w)
					continue
				}
				tag := ""
				for _, tg := range got.Tags.Tag {
					if tg.TagKey == "soak-round" {
						tag = tg.TagValue
					}
				}
				for _, f := range []struct {
					field  string
					writes []soakWrite
					got    string
				}{{"name", in.names, got.InstanceName}, {"auto-release time", in.release, got.AutoReleaseTime}, {"tag", in.tag, tag}} {
					if want, ok := soakExpect(f.writes, f.got); !ok {
						t.Errorf("%s: instance %s of worker %d: %s %q, want the last acknowledged write %q (lost update)",
							label, in.id, w, f.field, f.got, want)
					}
				}
			}
		}
	}
	check("last emulator", srv.e.State())
	srv.stop(t, false) // a crash again: every acknowledged write must already be in the file
	reloaded, err := New(Options{StateFile: stateFile})
	if err != nil {
		t.Fatal(err)
	}
	check("state file after the load", reloaded.State())

	ambiguous := 0
	for _, w := range ws {
		if w.ambiguousDel {
			ambiguous++
		}
	}
	t.Logf("RELIABILITY soak: %d acknowledged SDK requests (%d attempts) from %d concurrent clients in %s, "+
		"%d restarts from the state file mid-load on the same port; %d attempts hit a restart "+
		"(%d inside the emulator when it stopped, the rest refused or cut), retried with the same ClientToken or value; "+
		"%d deletes applied by a cut attempt; cut attempts per action: %v",
		acked.Load(), attempts.Load(), workers, elapsed.Round(time.Millisecond), restarts,
		transportErrs.Load(), inServer, ambiguous, cutBy)
}
