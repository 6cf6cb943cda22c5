package emulator

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// TestSoak is a bounded soak (loopback only, a fixed number of requests):
// concurrent real-SDK clients create instances (with ClientTokens shared
// between workers) and rewrite their own instance's description, in two
// phases; between them the emulator is closed and a new one is started from
// the --state-file. Afterwards: one instance per token (no duplicate under
// concurrency), every description is its worker's last write (no lost
// update), and nothing written before the restart is lost.
func TestSoak(t *testing.T) {
	const workers, tokens, writesPerPhase = 8, 4, 12
	stateFile := filepath.Join(t.TempDir(), "state.json")
	start := func() (*Emulator, *httptest.Server) {
		e, err := New(Options{StateFile: stateFile})
		if err != nil {
			t.Fatal(err)
		}
		return e, httptest.NewServer(e)
	}
	client := func(srv *httptest.Server) *ecs.Client {
		c, err := ecs.NewClientWithAccessKey(testRegion, DefaultAccessKeyID, DefaultAccessKeySecret)
		if err != nil {
			t.Fatal(err)
		}
		c.Domain = strings.TrimPrefix(srv.URL, "http://")
		return c
	}
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
	var requestsSent, mu = 0, sync.Mutex{}
	count := func() { mu.Lock(); requestsSent++; mu.Unlock() }
	own := make([]string, workers)       // each worker's own instance
	tokenIDs := make([][]string, tokens) // ids returned per shared token
	phase := func(srv *httptest.Server, p int) {
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		// The SDK's client constructor races with itself: build them first.
		clients := make([]*ecs.Client, workers)
		for w := range clients {
			clients[w] = client(srv)
		}
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				c := clients[w]
				if p == 0 {
					resp, err := c.RunInstances(runReq(fmt.Sprintf("soak-own-%02d-0000-0000-000000000000", w)))
					count()
					if err != nil {
						errs <- err
						return
					}
					own[w] = resp.InstanceIdSets.InstanceIdSet[0]
				}
				// Every worker asks for every shared token: one instance each.
				for k := 0; k < tokens; k++ {
					resp, err := c.RunInstances(runReq(fmt.Sprintf("soak-shared-%02d-0000-0000-000000000000", k)))
					count()
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					tokenIDs[k] = append(tokenIDs[k], resp.InstanceIdSets.InstanceIdSet[0])
					mu.Unlock()
				}
				for i := 0; i < writesPerPhase; i++ {
					req := ecs.CreateModifyInstanceAttributeRequest()
					req.Scheme = "http"
					req.RegionId = testRegion
					req.InstanceId = own[w]
					req.Description = fmt.Sprintf("worker %d phase %d write %d", w, p, i)
					_, err := c.ModifyInstanceAttribute(req)
					count()
					if err != nil {
						errs <- err
						return
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("phase %d: %v", p, err)
		}
	}

	e1, srv1 := start()
	phase(srv1, 0)
	srv1.Close()
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}
	e2, srv2 := start() // restart from the state file, mid-load
	defer srv2.Close()
	phase(srv2, 1)

	st := e2.State()
	byID := map[string]Instance{}
	for _, in := range st.Instances {
		byID[in.InstanceId] = in
	}
	if want := workers + tokens; len(st.Instances) != want {
		t.Errorf("emulator holds %d instances, want %d (one per worker, one per shared token)", len(st.Instances), want)
	}
	for k, ids := range tokenIDs {
		for _, id := range ids {
			if id != ids[0] {
				t.Errorf("token %d answered with two instances: %s and %s", k, ids[0], id)
			}
		}
	}
	for w, id := range own {
		want := fmt.Sprintf("worker %d phase 1 write %d", w, writesPerPhase-1)
		if got := byID[id].Description; got != want {
			t.Errorf("instance %s of worker %d: description %q, want the last write %q", id, w, got, want)
		}
	}
	t.Logf("RELIABILITY soak: %d requests from %d concurrent SDK clients, one restart from the state file", requestsSent, workers)
}
