package emulator

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// syncBuffer is a goroutine-safe writer for the command's stderr.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startCommand runs RunCommand and returns its base URL and a stop function
// that returns the exit code.
func startCommand(t *testing.T, args ...string) (string, *syncBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	codeCh := make(chan int, 1)
	go func() {
		codeCh <- RunCommand(ctx, args, pw, logs)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no ready line: %v (stderr %s)", err, logs.String())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	const prefix = "ecs-emulator listening on http://"
	if !strings.HasPrefix(line, prefix) {
		t.Fatalf("ready line %q", line)
	}
	base := "http://" + strings.TrimSpace(strings.TrimPrefix(line, prefix))
	return base, logs, func() int {
		cancel()
		select {
		case code := <-codeCh:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("command did not stop")
			return -1
		}
	}
}

func TestCommandServesAndStops(t *testing.T) {
	state := filepath.Join(t.TempDir(), "s.json")
	base, logs, stop := startCommand(t, "--listen", "127.0.0.1:0", "--access-key-id", "cli", "--access-key-secret", "cli-secret",
		"--boot-time", "1m", "--state-file", state)
	c, err := ecs.NewClientWithAccessKey(testRegion, "cli", "cli-secret")
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = strings.TrimPrefix(base, "http://")
	rc := buildRegion(testRegion)
	req := ecs.CreateRunInstancesRequest()
	req.RegionId = testRegion
	req.ImageId = "aliyun_3_x64_20G_alibase_20240101.vhd"
	req.InstanceType = "ecs.g7.xlarge"
	req.VSwitchId = rc.VSwitches[0].ID
	req.SecurityGroupId = rc.SecurityGroups[0].ID
	resp, err := c.RunInstances(req)
	if err != nil {
		t.Fatal(err)
	}
	r, err := http.Get(base + "/_emulator/state")
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("admin: %v", err)
	}
	r.Body.Close()
	if code := stop(); code != 0 {
		t.Fatalf("exit code %d; stderr %s", code, logs.String())
	}
	if !strings.Contains(logs.String(), "RunInstances 200") {
		t.Fatalf("no request log line: %s", logs.String())
	}
	// A restart on the same state file still knows the instance, Pending.
	base, _, stop = startCommand(t, "--listen", "127.0.0.1:0", "--state-file", state, "--quiet")
	defer stop()
	c2, _ := ecs.NewClientWithAccessKey(testRegion, DefaultAccessKeyID, DefaultAccessKeySecret)
	c2.Domain = strings.TrimPrefix(base, "http://")
	d := ecs.CreateDescribeInstancesRequest()
	d.RegionId = testRegion
	out, err := c2.DescribeInstances(d)
	if err != nil || out.TotalCount != 1 || out.Instances.Instance[0].InstanceId != resp.InstanceIdSets.InstanceIdSet[0] ||
		out.Instances.Instance[0].Status != "Pending" {
		t.Fatalf("after restart: %+v %v", out, err)
	}
}

func TestCommandRefusesRemoteAndBadFlags(t *testing.T) {
	var out, errb syncBuffer
	if code := RunCommand(context.Background(), []string{"--listen", "0.0.0.0:0"}, &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "--allow-remote") {
		t.Fatalf("code %d, stderr %s", code, errb.String())
	}
	if code := RunCommand(context.Background(), []string{"--boot-time", "soon"}, &out, &errb); code != 2 {
		t.Fatalf("bad duration: code %d", code)
	}
	if code := RunCommand(context.Background(), []string{"--help"}, &out, &errb); code != 0 ||
		!strings.Contains(errb.String(), "--snapshot-time") && !strings.Contains(errb.String(), "-snapshot-time") {
		t.Fatalf("help: %d %s", code, errb.String())
	}
	if !loopbackListenAddr("localhost:8085") || !loopbackListenAddr("[::1]:1") || loopbackListenAddr(":8085") {
		t.Fatal("loopback detection")
	}
}
