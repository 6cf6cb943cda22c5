package emulator

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// envMap is a getenv over a fixed set of variables.
func envMap(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// startCommandEnv is startCommand with an environment of its own.
func startCommandEnv(t *testing.T, getenv func(string) string, args ...string) (string, *syncBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	codeCh := make(chan int, 1)
	go func() {
		codeCh <- runCommand(ctx, args, getenv, pw, logs)
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
	stopped := false
	stop := func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case code := <-codeCh:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("command did not stop")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	return base, logs, stop
}

// rawGet sends one keep-alive GET on conn, reads its answer and returns its status.
func rawGet(t *testing.T, conn net.Conn, path string) int {
	t.Helper()
	if _, err := io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// An idle keep-alive connection is closed after --idle-timeout; there was
// no idle, read or write timeout at all.
func TestSecurityIdleConnectionsClosed(t *testing.T) {
	base, _, _ := startCommandEnv(t, envMap(), "--listen", "127.0.0.1:0", "--quiet", "--idle-timeout", "300ms",
		"--read-header-timeout", "500ms")
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if status := rawGet(t, conn, "/_emulator/clock"); status != 200 {
		t.Fatalf("status %d", status)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = conn.Read(make([]byte, 1))
	idle := time.Since(start)
	t.Logf("SECURITY idle keep-alive connection closed by the server after %s (idle timeout 300ms)", idle.Round(time.Millisecond))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the idle connection is still open after %s", idle)
	}
	if err == nil {
		t.Fatal("the server sent bytes on an idle connection")
	}
	// A client that never finishes its headers is cut off too.
	slow, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	_, _ = io.WriteString(slow, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	_ = slow.SetReadDeadline(time.Now().Add(20 * time.Second))
	start = time.Now()
	_, _ = io.Copy(io.Discard, slow)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("a half-sent request held its connection for %s", d)
	}
}

// With --max-connections 2 a third connection waits until one of the first
// two, both in the middle of a request, closes.
func TestSecurityConnectionLimit(t *testing.T) {
	base, _, _ := startCommandEnv(t, envMap(), "--listen", "127.0.0.1:0", "--quiet", "--max-connections", "2")
	addr := strings.TrimPrefix(base, "http://")
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		rawGet(t, c, "/_emulator/clock")
		// Busy, not idle: a request whose body is still coming holds its slot.
		if _, err := io.WriteString(c, "POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n"+
			"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"); err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	// Let the server read both requests' headers: until then they count as
	// idle connections, which a waiting one may displace.
	time.Sleep(300 * time.Millisecond)
	third, err := net.Dial("tcp", addr) // the kernel accepts it into the backlog
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if _, err := io.WriteString(third, "GET /_emulator/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = third.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _ := third.Read(make([]byte, 1)); n != 0 {
		t.Fatal("a third connection was served while two were open")
	}
	held[0].Close()
	_ = third.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(third), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the third connection after one closed: %v", err)
	}
	resp.Body.Close()
}

// Idle keep-alive connections give up their slots when the limit is
// reached: 500 keep-alive clients exhausted the 256 slots, and idle ones
// held them for the idle timeout (issue #24, item 7).
func TestSecurityIdleConnectionsMakeRoom(t *testing.T) {
	base, _, _ := startCommandEnv(t, envMap(), "--listen", "127.0.0.1:0", "--quiet", "--max-connections", "2")
	addr := strings.TrimPrefix(base, "http://")
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		rawGet(t, c, "/_emulator/clock") // then idle, kept alive
	}
	third, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if _, err := io.WriteString(third, "GET /_emulator/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// Well under the idle timeout (1 min): the third connection is not
	// waiting for an idle one to time out.
	_ = third.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(third), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a third connection while two idle ones hold the slots: %v", err)
	}
	resp.Body.Close()
}

// --allow-remote refuses the public default key and requires an admin
// token, and says what it exposes.
func TestSecurityAllowRemoteRefusesDefaultKey(t *testing.T) {
	var out, errb syncBuffer
	// A command that starts instead of refusing returns when ctx ends, not never.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if code := runCommand(ctx, []string{"--allow-remote", "--listen", "127.0.0.1:0"}, envMap(), &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "default") || !strings.Contains(errb.String(), "ALIECS_EMULATOR_SECRET") {
		t.Fatalf("--allow-remote with the default key: code %d, stderr %s", code, errb.String())
	}
	errb = syncBuffer{}
	if code := runCommand(ctx, []string{"--allow-remote", "--listen", "127.0.0.1:0", "--access-key-secret", DefaultAccessKeySecret},
		envMap(), &out, &errb); code != 2 || !strings.Contains(errb.String(), "default") {
		t.Fatalf("--allow-remote with the default secret given explicitly: code %d, stderr %s", code, errb.String())
	}
	errb = syncBuffer{}
	if code := runCommand(ctx, []string{"--allow-remote", "--listen", "127.0.0.1:0"},
		envMap("ALIECS_EMULATOR_SECRET", "own-secret-8d2c"), &out, &errb); code != 2 || !strings.Contains(errb.String(), "ALIECS_EMULATOR_ADMIN_TOKEN") {
		t.Fatalf("--allow-remote without an admin token: code %d, stderr %s", code, errb.String())
	}
	// Listening on loopback here: the test must not expose anything.
	base, logs, stop := startCommandEnv(t, envMap("ALIECS_EMULATOR_SECRET", "own-secret-8d2c", "ALIECS_EMULATOR_ADMIN_TOKEN", "adm-51f0"),
		"--allow-remote", "--listen", "127.0.0.1:0", "--quiet")
	stop()
	warning := logs.String()
	for _, want := range []string{"WARNING", "plain HTTP", strings.TrimPrefix(base, "http://"), "admin token", "any Host"} {
		if !strings.Contains(warning, want) {
			t.Errorf("the --allow-remote warning does not say %q:\n%s", want, warning)
		}
	}
	if strings.Contains(warning, "own-secret-8d2c") || strings.Contains(warning, "adm-51f0") {
		t.Errorf("the warning prints a secret:\n%s", warning)
	}
	if w := exposureWarning("0.0.0.0:8085"); !strings.Contains(w, "every interface") {
		t.Errorf("exposure warning for 0.0.0.0: %s", w)
	}
}

// The secret, the STS token and the admin token can come from the
// environment, so they need not appear in ps; a flag still wins.
func TestSecuritySecretsFromEnvironment(t *testing.T) {
	env := envMap("ALIECS_EMULATOR_SECRET", "env-secret-4a7e", "ALIECS_EMULATOR_ADMIN_TOKEN", "env-admin-99c1",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "must-not-be-used")
	base, logs, _ := startCommandEnv(t, env, "--listen", "127.0.0.1:0", "--quiet")
	call := func(secret string) error {
		c, err := ecs.NewClientWithAccessKey(testRegion, DefaultAccessKeyID, secret)
		if err != nil {
			t.Fatal(err)
		}
		c.Domain = strings.TrimPrefix(base, "http://")
		_, err = c.DescribeRegions(ecs.CreateDescribeRegionsRequest())
		return err
	}
	if err := call("env-secret-4a7e"); err != nil {
		t.Fatalf("the secret from ALIECS_EMULATOR_SECRET: %v", err)
	}
	if err := call(DefaultAccessKeySecret); err == nil {
		t.Fatal("the default secret still works")
	}
	if err := call("must-not-be-used"); err == nil {
		t.Fatal("ALIBABA_CLOUD_ACCESS_KEY_SECRET was used")
	}
	get := func(auth string) int {
		req, _ := http.NewRequest("GET", base+"/_emulator/state", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if get("") != 401 || get("Bearer env-admin-99c1") != 200 {
		t.Fatal("the admin token from ALIECS_EMULATOR_ADMIN_TOKEN is not required")
	}
	if strings.Contains(logs.String(), "shows in ps") {
		t.Errorf("a warning about flags although none was given: %s", logs.String())
	}
	// A flag overrides the environment, with a note that ps shows it.
	base2, logs2, _ := startCommandEnv(t, env, "--listen", "127.0.0.1:0", "--quiet", "--access-key-secret", "flag-secret-1")
	c, _ := ecs.NewClientWithAccessKey(testRegion, DefaultAccessKeyID, "flag-secret-1")
	c.Domain = strings.TrimPrefix(base2, "http://")
	if _, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest()); err != nil {
		t.Fatalf("--access-key-secret over the environment: %v", err)
	}
	if !strings.Contains(logs2.String(), "ALIECS_EMULATOR_SECRET") || strings.Contains(logs2.String(), "flag-secret-1") {
		t.Errorf("no note (or the secret itself) about --access-key-secret being visible: %s", logs2.String())
	}
}
