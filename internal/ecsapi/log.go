package ecsapi

import (
	"context"
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
