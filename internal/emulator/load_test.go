package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// TestConcurrentLoad drives every kind of call from several goroutines, each
// with its own SDK client (the SDK client is not safe for concurrent use);
// run it with -race.
func TestConcurrentLoad(t *testing.T) {
	f := newFixture(t, Options{StateFile: t.TempDir() + "/state.json"})
	ecs.GetEndpointMap()
	const workers, rounds = 6, 8
	var wg sync.WaitGroup
	var failures atomic.Int32
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := f.client()
			for i := 0; i < rounds; i++ {
				req := f.runRequest()
				req.ClientToken = fmt.Sprintf("load-%d-%d", w, i)
				resp, err := c.RunInstances(req)
				if err != nil {
					t.Errorf("run: %v", err)
					failures.Add(1)
					return
				}
				id := resp.InstanceIdSets.InstanceIdSet[0]
				d := ecs.CreateDescribeInstancesRequest()
				d.RegionId = testRegion
				if _, err := c.DescribeInstances(d); err != nil {
					t.Errorf("describe: %v", err)
				}
				g := ecs.CreateCreateSnapshotGroupRequest()
				g.RegionId = testRegion
				g.InstanceId = id
				if _, err := c.CreateSnapshotGroup(g); err != nil {
					t.Errorf("group: %v", err)
				}
				del := ecs.CreateDeleteInstanceRequest()
				del.InstanceId = id
				del.Force = requests.NewBoolean(i%2 == 0)
				if i%2 == 1 {
					stop := ecs.CreateStopInstanceRequest()
					stop.InstanceId = id
					if _, err := c.StopInstance(stop); err != nil {
						t.Errorf("stop: %v", err)
					}
				}
				if _, err := c.DeleteInstance(del); err != nil {
					t.Errorf("delete: %v", err)
				}
				_ = f.e.State()
				f.e.AdvanceClock(time.Second)
			}
		}(w)
	}
	wg.Wait()
	if failures.Load() > 0 {
		return
	}
	st := f.e.State()
	if len(st.Instances) != 0 || len(st.SnapshotGroups) != workers*rounds {
		t.Fatalf("instances %d, groups %d", len(st.Instances), len(st.SnapshotGroups))
	}
	if got := f.e.Calls()["RunInstances"]; got != workers*rounds {
		t.Fatalf("RunInstances calls = %d", got)
	}
}

// signedURL builds a v1-signed DescribeInstances URL with a fresh nonce.
func signedURL(base string, n int64, extra url.Values) string {
	q := url.Values{}
	for k, v := range map[string]string{"Action": "DescribeInstances", "Version": apiVersion, "Format": "JSON",
		"AccessKeyId": DefaultAccessKeyID, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
		"SignatureNonce": fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), n), "SignatureType": "",
		"Timestamp": time.Now().UTC().Format(timestampLayout), "RegionId": testRegion} {
		q.Set(k, v)
	}
	for k, vs := range extra {
		q[k] = vs
	}
	q.Set("Signature", v1Sign(DefaultAccessKeySecret, v1StringToSign("GET", q, nil)))
	return base + "/?" + q.Encode()
}

// BenchmarkDescribeInstances measures signed DescribeInstances calls (10
// instances per page) over real HTTP with keep-alive, from parallel clients.
func BenchmarkDescribeInstances(b *testing.B) {
	e, _ := New(Options{})
	srv := newBenchServer(b, e)
	seedInstances(b, srv, 10)
	benchGet(b, srv, url.Values{"PageSize": {"10"}})
}

// BenchmarkDescribeInstancesByID is the provider's read path: one instance by id.
func BenchmarkDescribeInstancesByID(b *testing.B) {
	e, _ := New(Options{})
	srv := newBenchServer(b, e)
	ids := seedInstances(b, srv, 50)
	benchGet(b, srv, url.Values{"InstanceIds": {`["` + ids[7] + `"]`}})
}

func benchGet(b *testing.B, srv string, extra url.Values) {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr}
	var n atomic.Int64
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(signedURL(srv, n.Add(1), extra))
			if err != nil {
				b.Error(err)
				return
			}
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
			}
			drain(resp)
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
