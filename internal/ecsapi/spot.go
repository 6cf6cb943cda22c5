package ecsapi

import (
	"context"
	"strconv"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// SpotInterruptionEvent is the event type a spot reclaim is recorded under
// in DescribeInstanceHistoryEvents. The documented EventType enum has no
// spot type; this is the name of the service's interruption notification
// (CloudMonitor / EventBridge), which is what the emulator records.
const SpotInterruptionEvent = "Instance:PreemptibleInstanceInterruption"

// Spot strategies and interruption behaviours (the API's values).
const (
	SpotNone          = "NoSpot"
	SpotAsPriceGo     = "SpotAsPriceGo"
	SpotWithLimit     = "SpotWithPriceLimit"
	SpotTerminate     = "Terminate"
	SpotStop          = "Stop"
	SpotReclaimLock   = "Recycling"
	spotHistoryLookup = 10 // MaxResults of the one history call: its minimum
)

// setSpot adds the spot parameters of a spot instance to RunInstances; an
// on-demand instance sends none (the service's defaults).
func setSpot(req *ecs.RunInstancesRequest, s SpotSpec) {
	if !s.IsSpot() {
		return
	}
	req.SpotStrategy = s.Strategy
	if s.Strategy == SpotWithLimit {
		// The shortest form: requests.NewFloat pads to 6 decimals.
		req.SpotPriceLimit = requests.Float(strconv.FormatFloat(s.PriceLimit, 'f', -1, 64))
	}
	req.SpotDuration = requests.NewInteger(s.Duration)
	req.SpotInterruptionBehavior = s.Interruption
}

// spotFromSDK reads the spot settings and the operation locks of an instance.
func spotFromSDK(raw ecs.Instance) (SpotSpec, []string) {
	s := SpotSpec{Strategy: raw.SpotStrategy, Duration: raw.SpotDuration, Interruption: raw.SpotInterruptionBehavior}
	if s.Strategy == SpotWithLimit {
		s.PriceLimit = raw.SpotPriceLimit
	}
	var locks []string
	for _, l := range raw.OperationLocks.LockReason {
		locks = append(locks, l.LockReason)
	}
	return s, locks
}

// SpotInterruption is a spot reclaim of an instance, as its interruption
// event reports it.
type SpotInterruption struct {
	EventID     string
	Status      string // the event's cycle status, e.g. Executing, Executed
	PublishTime string // yyyy-MM-ddTHH:mm:ssZ
	NotBefore   string // when the machine is (or was) released or stopped
}

// FindSpotInterruption looks for the spot interruption event of an
// instance: one DescribeInstanceHistoryEvents call. Call it only for a spot
// instance that is gone or stopped, so healthy instances cost nothing.
func (c *Client) FindSpotInterruption(ctx context.Context, instanceID string) (*SpotInterruption, error) {
	resp, err := invoke(ctx, c, call{action: "DescribeInstanceHistoryEvents", kind: kindRead},
		ecs.CreateDescribeInstanceHistoryEventsRequest, (*ecs.Client).DescribeInstanceHistoryEvents,
		func(req *ecs.DescribeInstanceHistoryEventsRequest) {
			req.InstanceId = instanceID
			req.EventType = SpotInterruptionEvent
			req.MaxResults = requests.NewInteger(spotHistoryLookup)
		})
	if err != nil {
		return nil, err
	}
	var found *SpotInterruption
	for _, ev := range resp.InstanceSystemEventSet.InstanceSystemEventType {
		if ev.InstanceId != instanceID || ev.EventType.Name != SpotInterruptionEvent {
			continue
		}
		// The newest one: a Stop-reclaimed machine can be reclaimed again.
		if found == nil || ev.EventPublishTime > found.PublishTime {
			found = &SpotInterruption{EventID: ev.EventId, Status: ev.EventCycleStatus.Name,
				PublishTime: ev.EventPublishTime, NotBefore: ev.NotBefore}
		}
	}
	return found, nil
}
