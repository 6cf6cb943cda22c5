package ecsapi

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// rolesFake answers DescribeInstanceRamRole with the roles of the instances
// asked about that have one.
func rolesFake(roles map[string]string) func(c fakeCall) (int, any) {
	return func(c fakeCall) (int, any) {
		if c.Action != "DescribeInstanceRamRole" {
			return 400, map[string]any{"Code": "Unexpected", "Message": c.Action}
		}
		var ids []string
		_ = json.Unmarshal([]byte(c.Params.Get("InstanceIds")), &ids)
		sets := []map[string]any{}
		for _, id := range ids {
			if r := roles[id]; r != "" {
				sets = append(sets, map[string]any{"InstanceId": id, "RamRoleName": r})
			}
		}
		return ok(map[string]any{"TotalCount": len(sets), "InstanceRamRoleSets": map[string]any{"InstanceRamRoleSet": sets}})
	}
}

func rolesConcurrently(t *testing.T, c *Client, ids []string) map[string]string {
	t.Helper()
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		out = map[string]string{}
	)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			role, err := c.InstanceRAMRole(context.Background(), id)
			if err != nil {
				t.Errorf("InstanceRAMRole(%s): %v", id, err)
			}
			mu.Lock()
			out[id] = role
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// The role reads of one refresh wave share one DescribeInstanceRamRole of
// at most one page (PageSize 50), and an instance without a role reads "".
func TestInstanceRAMRoleOfAWaveIsOneCall(t *testing.T) {
	roles := map[string]string{"i-1": "Builder", "i-2": "Runner"}
	f := newFakeECS(t, rolesFake(roles))
	// A long window, so that the test's goroutines surely meet in one batch.
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.BatchWindow = 200 * time.Millisecond })
	got := rolesConcurrently(t, c, []string{"i-1", "i-2", "i-3"})
	calls := f.callsOf("DescribeInstanceRamRole")
	if len(calls) != 1 || calls[0].Params.Get("PageSize") != "50" {
		t.Fatalf("calls = %+v, want one DescribeInstanceRamRole with PageSize 50", calls)
	}
	if got["i-1"] != "Builder" || got["i-2"] != "Runner" || got["i-3"] != "" {
		t.Errorf("roles %v", got)
	}
}

func TestInstanceRAMRoleUnbatched(t *testing.T) {
	f := newFakeECS(t, rolesFake(map[string]string{"i-1": "Builder"}))
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.DisableBatching = true })
	got := rolesConcurrently(t, c, []string{"i-1", "i-2"})
	if n := len(f.callsOf("DescribeInstanceRamRole")); n != 2 || got["i-1"] != "Builder" || got["i-2"] != "" {
		t.Errorf("%d calls, roles %v", n, got)
	}
}
