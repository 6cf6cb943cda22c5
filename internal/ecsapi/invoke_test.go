package ecsapi

import (
	"context"
	"sync"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Every instance write makes the refresh listing unusable for the instance, without
// the method having to remember it.
func TestInstanceWritesForgetTheInstance(t *testing.T) {
	name := "renamed"
	for _, tc := range []struct {
		name  string
		write func(c *Client, ctx context.Context) error
	}{
		{"StartInstance", func(c *Client, ctx context.Context) error { return c.StartInstance(ctx, "i-a") }},
		{"StopInstance", func(c *Client, ctx context.Context) error { return c.StopInstance(ctx, "i-a", StopInput{}) }},
		{"DeleteInstance", func(c *Client, ctx context.Context) error { return c.DeleteInstance(ctx, "i-a", false) }},
		{"ModifyInstanceAttribute", func(c *Client, ctx context.Context) error {
			return c.ModifyInstanceAttribute(ctx, "i-a", ModifyInstanceInput{Name: &name})
		}},
		{"UpdateInstanceTags", func(c *Client, ctx context.Context) error {
			return c.UpdateInstanceTags(ctx, "i-a", map[string]string{"k": "v"}, []string{"old"})
		}},
		{"ModifyInstanceAutoReleaseTime", func(c *Client, ctx context.Context) error {
			return c.ModifyInstanceAutoReleaseTime(ctx, "i-a", "2030-01-02T03:04:00Z")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			f := newFakeECS(t, regionHandler(&mu, map[string]string{"i-a": StatusRunning, "i-b": StatusRunning}))
			c, _ := f.newTestClient(t, listAtOnce)
			ctx := context.Background()
			if _, err := c.RefreshInstance(ctx, "i-a"); err != nil {
				t.Fatal(err)
			}
			if err := tc.write(c, ctx); err != nil {
				t.Fatal(err)
			}
			hasA, hasB := c.listing.servable("i-a"), c.listing.servable("i-b")
			if hasA || !hasB {
				t.Fatalf("listing after the write: i-a %v (want false), i-b %v (want true)", hasA, hasB)
			}
		})
	}
}

// A snapshot group's tags are not an instance's: the listing stays whole.
func TestSnapshotGroupTagsKeepTheListing(t *testing.T) {
	var mu sync.Mutex
	f := newFakeECS(t, regionHandler(&mu, map[string]string{"ssg-a": StatusRunning}))
	c, _ := f.newTestClient(t, listAtOnce)
	ctx := context.Background()
	if _, err := c.RefreshInstance(ctx, "ssg-a"); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateSnapshotGroupTags(ctx, "ssg-a", map[string]string{"k": "v"}, nil); err != nil {
		t.Fatal(err)
	}
	if !c.listing.servable("ssg-a") {
		t.Fatal("a snapshot-group write dropped an entry of the instance listing")
	}
}

func TestRequestIDOf(t *testing.T) {
	for _, resp := range []responses.AcsResponse{
		&ecs.RunInstancesResponse{RequestId: "R"}, &ecs.DescribeInstancesResponse{RequestId: "R"},
		&ecs.StartInstanceResponse{RequestId: "R"}, &ecs.StopInstanceResponse{RequestId: "R"},
		&ecs.DeleteInstanceResponse{RequestId: "R"}, &ecs.ModifyInstanceAttributeResponse{RequestId: "R"},
		&ecs.TagResourcesResponse{RequestId: "R"}, &ecs.UntagResourcesResponse{RequestId: "R"},
		&ecs.ModifyInstanceAutoReleaseTimeResponse{RequestId: "R"}, &ecs.DescribeDisksResponse{RequestId: "R"},
		&ecs.DescribeUserDataResponse{RequestId: "R"}, &ecs.CreateSnapshotGroupResponse{RequestId: "R"},
		&ecs.DescribeSnapshotGroupsResponse{RequestId: "R"}, &ecs.DescribeSnapshotsResponse{RequestId: "R"},
		&ecs.ModifySnapshotGroupResponse{RequestId: "R"}, &ecs.ModifySnapshotAttributeResponse{RequestId: "R"},
		&ecs.DeleteSnapshotGroupResponse{RequestId: "R"},
	} {
		if got := requestIDOf(resp); got != "R" {
			t.Errorf("%T: request id %q", resp, got)
		}
	}
	var none *ecs.StartInstanceResponse
	if got := requestIDOf(none); got != "" {
		t.Errorf("nil response: %q", got)
	}
}
