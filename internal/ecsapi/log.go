package ecsapi

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Every field logged here is either a fixed name, a number, an ECS request
// id or error code, or error text that went through the redactor: no URL,
// credential or password reaches the log.

func (c *Client) logAttempt(ctx context.Context, action string, attempt int, d time.Duration, requestID string, err *APIError) {
	fields := map[string]any{
		"ecs_action":      action,
		"ecs_attempt":     attempt,
		"ecs_duration_ms": d.Milliseconds(),
	}
	if requestID != "" {
		fields["ecs_request_id"] = requestID
	}
	if err != nil {
		if err.RequestID != "" {
			fields["ecs_request_id"] = err.RequestID
		}
		fields["ecs_error_code"] = err.Code
		fields["ecs_error"] = err.Error()
		tflog.Debug(ctx, "ECS call failed", fields)
		return
	}
	tflog.Debug(ctx, "ECS call", fields)
}

func (c *Client) logRetry(ctx context.Context, action string, retry int, delay time.Duration, err *APIError) {
	tflog.Debug(ctx, "ECS call will be retried", map[string]any{
		"ecs_action":         action,
		"ecs_retry":          retry,
		"ecs_retry_delay_ms": delay.Milliseconds(),
		"ecs_error_code":     ErrorCode(err),
	})
}

func (c *Client) logGiveUp(ctx context.Context, action string, retry int, why string) {
	tflog.Debug(ctx, "ECS call not retried", map[string]any{
		"ecs_action": action,
		"ecs_retry":  retry,
		"reason":     why,
	})
}

func (c *Client) logSettled(ctx context.Context, action string, err *APIError) {
	tflog.Debug(ctx, "ECS call counted as done: an earlier attempt whose answer was lost took effect", map[string]any{
		"ecs_action":     action,
		"ecs_error_code": err.Code,
	})
}

func (c *Client) logCredentialFailure(ctx context.Context, action string, err error) {
	tflog.Debug(ctx, "ECS call not sent: no credentials", map[string]any{
		"ecs_action": action,
		"error":      c.secrets.redactor().redact(err.Error()),
	})
}

func (c *Client) logRenewal(ctx context.Context, action string) {
	tflog.Debug(ctx, "ECS call refused the keys as expired; renewing them and repeating the call", map[string]any{
		"ecs_action": action,
	})
}

// logBatch records how many ids one batched read carries, to show what
// batching saves.
func (c *Client) logBatch(ctx context.Context, action string, ids int) {
	tflog.Debug(ctx, "ECS batched read", map[string]any{
		"ecs_action":    action,
		"ecs_batch_ids": ids,
	})
}

// waitLogEvery is how often a wait whose status and progress do not change
// still says it is waiting, so that a five-minute boot is not silent.
const waitLogEvery = 30 * time.Second

// waitProgress writes the INFO lines of one wait: its start, each change
// of the status or progress the service reports, a line every waitLogEvery
// while nothing changes, and its end. They are what a user running
// TF_LOG_PROVIDER=INFO sees between Terraform's "Still creating..." lines.
type waitProgress struct {
	what       string
	status     string
	progress   string
	lastLogged time.Duration
	logged     bool
}

func (w *waitProgress) start(ctx context.Context) {
	tflog.Info(ctx, "Waiting for "+w.what, map[string]any{"ecs_wait": w.what})
}

func (w *waitProgress) poll(ctx context.Context, status, progress string, elapsed time.Duration) {
	changed := !w.logged || status != w.status || progress != w.progress
	if !changed && elapsed-w.lastLogged < waitLogEvery {
		return
	}
	w.status, w.progress, w.lastLogged, w.logged = status, progress, elapsed, true
	msg := fmt.Sprintf("Waiting for %s: %s after %s", w.what, status, roundElapsed(elapsed))
	if progress != "" {
		msg = fmt.Sprintf("Waiting for %s: %s, %s, after %s", w.what, status, progress, roundElapsed(elapsed))
	}
	fields := map[string]any{"ecs_wait": w.what, "ecs_wait_status": status, "ecs_wait_elapsed_s": int(elapsed.Seconds())}
	if progress != "" {
		fields["ecs_wait_progress"] = progress
	}
	tflog.Info(ctx, msg, fields)
}

func (w *waitProgress) done(ctx context.Context, elapsed time.Duration) {
	tflog.Info(ctx, fmt.Sprintf("Done waiting for %s after %s", w.what, roundElapsed(elapsed)),
		map[string]any{"ecs_wait": w.what, "ecs_wait_elapsed_s": int(elapsed.Seconds())})
}

// roundElapsed shows a wait's length to the second (to the millisecond
// below one), as a user reads it.
func roundElapsed(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}

// snapshotGroupProgress is each snapshot's progress as the service reports
// it: "s-1 45%, s-2 100%".
func snapshotGroupProgress(g *SnapshotGroup) string {
	parts := make([]string, 0, len(g.Snapshots))
	for _, s := range g.Snapshots {
		if s.Progress == "" {
			continue
		}
		parts = append(parts, s.ID+" "+s.Progress)
	}
	return strings.Join(parts, ", ")
}
