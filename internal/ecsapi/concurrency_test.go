package ecsapi

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

// Many goroutines share one Client (as Terraform's parallel resources do);
// run with -race, this catches any sharing of the SDK's unsafe client.
func TestConcurrentUseIsRaceFree(t *testing.T) {
	instances := map[string]string{}
	for i := 0; i < 30; i++ {
		instances[fmt.Sprintf("i-%d", i)] = StatusRunning
	}
	describe := describeInstancesFrom(instances)
	f := newFakeECS(t, func(c fakeCall) (int, any) {
		switch c.Action {
		case "DescribeInstances":
			return describe(c)
		case "RunInstances":
			return ok(map[string]any{"InstanceIdSets": map[string]any{"InstanceIdSet": []string{"i-new"}}})
		}
		return ok(nil)
	})
	c, err := New(Config{
		RegionID: "cn-hangzhou", AccessKeyID: "ak", AccessKeySecret: "secret", SecurityToken: "sts-token",
		Endpoint: f.endpoint(), Scheme: "http", RequestsPerSecond: 10000, Burst: 100, Clock: clock.Real{},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := fmt.Sprintf("i-%d", i)
			if _, err := c.GetInstance(ctx, id); err != nil {
				t.Error(err)
			}
			var err error
			switch i % 4 {
			case 0:
				_, err = c.RunInstance(ctx, RunInstanceInput{ClientToken: id, ImageID: "m-1"})
			case 1:
				err = c.StopInstance(ctx, id, StopInput{})
			case 2:
				err = c.ModifyInstanceAutoReleaseTime(ctx, id, "")
			case 3:
				_, err = c.ListInstances(ctx, InstanceFilter{Status: StatusRunning})
			}
			if err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	for _, call := range f.callsOf("") {
		if call.Params.Get("SecurityToken") != "sts-token" {
			t.Fatalf("%s was not signed with the STS token", call.Action)
		}
	}
}
