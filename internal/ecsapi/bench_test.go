package ecsapi

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

// benchGetInstance runs parallel GetInstance calls against the fake and
// reports DescribeInstances calls per GetInstance.
func benchGetInstance(b *testing.B, disableBatching bool) {
	instances := map[string]string{}
	for i := 0; i < 100; i++ {
		instances[fmt.Sprintf("i-%03d", i)] = StatusRunning
	}
	f := newFakeECS(b, describeInstancesFrom(instances))
	c, err := New(Config{
		RegionID: "cn-hangzhou", AccessKeyID: "ak", AccessKeySecret: "secret",
		Endpoint: f.endpoint(), Scheme: "http", Clock: clock.Real{},
		DisableBatching: disableBatching, BatchWindow: 2 * time.Millisecond,
	})
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.SetParallelism(8) // many resources refreshing at once
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("i-%03d", n.Add(1)%100)
			if _, err := c.GetInstance(context.Background(), id); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(len(f.callsOf("DescribeInstances")))/float64(b.N), "calls/get")
}

func BenchmarkGetInstanceBatched(b *testing.B)   { benchGetInstance(b, false) }
func BenchmarkGetInstanceUnbatched(b *testing.B) { benchGetInstance(b, true) }

// BenchmarkBatcher measures the batcher alone, with an instant fetch.
func BenchmarkBatcher(b *testing.B) {
	fetch := func(ctx context.Context, ids []string) (map[string]int, string, error) {
		out := make(map[string]int, len(ids))
		for i, id := range ids {
			out[id] = i
		}
		return out, "req", nil
	}
	bt := newBatcher(time.Millisecond, MaxInstanceBatch, fetch)
	var n atomic.Int64
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, _, err := bt.get(context.Background(), fmt.Sprintf("i-%d", n.Add(1)%500)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkTokenBucket measures the limiter's bookkeeping (no waiting).
func BenchmarkTokenBucket(b *testing.B) {
	tb := newTokenBucket(clock.Real{}, 1e12, 1<<30)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := tb.Wait(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRedact measures redaction of a typical transport error.
func BenchmarkRedact(b *testing.B) {
	r := newRedactor("test-access-key-id", "test-access-key-secret", "sts-token-value")
	s := `Post "https://ecs.cn-hangzhou.aliyuncs.com/?AccessKeyId=test-access-key-id&Action=DescribeInstances&Format=JSON&InstanceIds=%5B%22i-1%22%5D&RegionId=cn-hangzhou&SecurityToken=sts-token-value&Signature=abcdEFGH%2B%3D&SignatureMethod=HMAC-SHA1&SignatureNonce=0123456789abcdef&Timestamp=2030-01-01T00%3A00%3A00Z&Version=2014-05-26": dial tcp: i/o timeout`
	for i := 0; i < b.N; i++ {
		_ = r.redact(s)
	}
}
