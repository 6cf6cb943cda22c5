package ecsapi

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestConfigValidation(t *testing.T) {
	base := Config{RegionID: "cn-hangzhou", AccessKeyID: "a", AccessKeySecret: "s"}
	bad := map[string]func(*Config){
		"region":       func(c *Config) { c.RegionID = "" },
		"region chars": func(c *Config) { c.RegionID = "cn hangzhou" },
		"key":          func(c *Config) { c.AccessKeySecret = "" },
		"scheme":       func(c *Config) { c.Scheme = "ftp" },
		"endpoint":     func(c *Config) { c.Endpoint = "http://127.0.0.1:8085" },
		"rate":         func(c *Config) { c.RequestsPerSecond = -1 },
	}
	for name, mod := range bad {
		cfg := base
		mod(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	cfg, err := base.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Scheme != "HTTPS" || cfg.MaxRetries != 0 || cfg.WaitMinDelay != DefaultWaitMinDelay || cfg.InstanceBatchSize != 100 || cfg.SnapshotGroupBatchSize != 10 {
		t.Errorf("defaults: %+v", cfg)
	}
	base.MaxRetries = -1
	if cfg, _ := base.withDefaults(); cfg.MaxRetries != DefaultMaxRetries {
		t.Errorf("negative MaxRetries should select the default, got %d", cfg.MaxRetries)
	}
}

func TestReadTimeoutIsTransient(t *testing.T) {
	f := newFakeECS(t, nil)
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.ReadTimeout = 50 * time.Millisecond; cfg.MaxRetries = 0 })
	_, err := c.GetInstance(context.Background(), "i-1")
	e, ok := asAPIError(err)
	if !ok || !e.Transport || !e.Timeout || !IsTransient(err) {
		t.Fatalf("want a transient transport timeout, got %#v", err)
	}
}

func TestCallsAreLogged(t *testing.T) {
	f := newFakeECS(t, scripted(throttled, success))
	c, _ := f.newTestClient(t)
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	if err := c.StartInstance(ctx, "i-1"); err != nil {
		t.Fatal(err)
	}
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var failed, succeeded map[string]any
	for _, e := range entries {
		switch e["@message"] {
		case "ECS call failed":
			failed = e
		case "ECS call":
			succeeded = e
		}
	}
	if failed == nil || succeeded == nil {
		t.Fatalf("log entries: %v", entries)
	}
	if failed["ecs_action"] != "StartInstance" || failed["ecs_error_code"] != "Throttling" || failed["ecs_request_id"] != "REQ-ERR" || failed["ecs_attempt"] != float64(1) {
		t.Errorf("failed attempt entry: %v", failed)
	}
	if succeeded["ecs_attempt"] != float64(2) || succeeded["ecs_request_id"] != "REQ-OK" || succeeded["@level"] != "debug" {
		t.Errorf("success entry: %v", succeeded)
	}
	if _, ok := succeeded["ecs_duration_ms"]; !ok {
		t.Error("no duration logged")
	}
	if strings.Contains(buf.String(), "test-access-key") {
		t.Error("credentials in the log")
	}
}

func TestCallerContextCancelsTheRequest(t *testing.T) {
	f := newFakeECS(t, nil)
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.DisableBatching = true })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.StopInstance(ctx, "i-1", StopInput{})
	if !errors.Is(err, context.DeadlineExceeded) || IsTransient(err) {
		t.Fatalf("want the caller's deadline, not a retryable error: %v", err)
	}
}
