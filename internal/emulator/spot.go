package emulator

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Spot instances: the RunInstances spot parameters, the service's reclaim
// (the interruption event first, the Recycling lock for the notice period,
// then a release or an economical stop on the emulator clock) and
// DescribeInstanceHistoryEvents, where the reclaim's event is listed.

const (
	// SpotInterruptionEventType is the event name a reclaim records. The
	// documented DescribeInstanceHistoryEvents enum has no spot type; this is
	// the name the service's CloudMonitor/EventBridge event carries.
	SpotInterruptionEventType = "Instance:PreemptibleInstanceInterruption"
	// SpotReclaimNotice is the service's notice before a reclaim.
	SpotReclaimNotice = 5 * time.Minute
	// spotLockReason is the OperationLocks reason during the notice period.
	spotLockReason = "Recycling"
	// maxSpotPriceLimit bounds SpotPriceLimit (per hour); the service's
	// bound is not documented, so this is the emulator's.
	maxSpotPriceLimit = 100000.0
)

// Event cycle status codes (the emulator's numbering: the documentation gives
// the names only).
var eventCycleCodes = map[string]int{
	"Scheduled": 1, "Avoided": 2, "Executing": 3, "Executed": 4, "Canceled": 5, "Failed": 6, "Inquiring": 7,
}

// instanceEvent is one instance event, as DescribeInstanceHistoryEvents lists it.
type instanceEvent struct {
	Seq         int64     `json:"seq"`
	ID          string    `json:"id"`
	InstanceID  string    `json:"instance_id"`
	RegionID    string    `json:"region_id"`
	Type        string    `json:"type"`
	CycleStatus string    `json:"cycle_status"`
	Published   time.Time `json:"published"`
	NotBefore   time.Time `json:"not_before"`
	Finished    time.Time `json:"finished"` // zero until the event is executed
	Reason      string    `json:"reason"`
	Action      string    `json:"action"` // delete or stop
}

func (ev *instanceEvent) sequence() int64 { return ev.Seq }

// parseSpot reads SpotStrategy, SpotPriceLimit, SpotDuration and
// SpotInterruptionBehavior. The duration and the behaviour only mean
// something for a spot instance; with NoSpot they are ignored.
func (c *call) parseSpot(s *launchSpec) *apiError {
	p := c.p
	badLimit := func(why string) *apiError {
		return bad400("InvalidSpotPriceLimit", "The specified SpotPriceLimit is not valid: "+why)
	}
	switch s.spot = p.str("SpotStrategy"); s.spot {
	case "":
		s.spot = "NoSpot"
	case "NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo":
	default:
		return bad400("InvalidSpotStrategy", "The specified SpotStrategy is not valid.")
	}
	spot := s.spot != "NoSpot"
	if spot && s.chargeType == "PrePaid" {
		return bad400("InvalidSpotPrepaid", "A spot instance must be pay-as-you-go (InstanceChargeType PostPaid).")
	}
	if v := p.str("SpotPriceLimit"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
			return badLimit("not a number.")
		case s.spot != "SpotWithPriceLimit":
			return badLimit("it applies only with SpotStrategy SpotWithPriceLimit.")
		case f <= 0 || f > maxSpotPriceLimit:
			return badLimit(fmt.Sprintf("it must be above 0 and at most %g.", maxSpotPriceLimit))
		case math.Abs(f*1000-math.Round(f*1000)) > 1e-6:
			return badLimit("at most 3 decimal places.")
		}
		s.spotLimit = f
		// The service refuses a limit the machine could not run at now.
		if price, ok := c.e.spotPriceAt(s.itype.InstanceTypeId, s.vsw.ZoneID, c.now); ok && f < price {
			return bad400("InvalidSpotPriceLimit.LowerThanPublicPrice", fmt.Sprintf(
				"The specified parameter SpotPriceLimit (%g) can't be lower than current public price (%g).", f, price))
		}
	} else if s.spot == "SpotWithPriceLimit" {
		return badLimit("it is required with SpotStrategy SpotWithPriceLimit.")
	}
	var ae *apiError
	if s.spotDuration, ae = p.integer("SpotDuration", 1, 0, 6,
		bad400("InvalidSpotDuration", "The specified SpotDuration is not valid (0 or 1).")); ae != nil {
		return ae
	}
	if s.spotDuration > 1 {
		return bad400("InvalidSpotDuration",
			"The specified SpotDuration is not valid: a protection period of 2 to 6 hours needs the service's approval.")
	}
	switch s.spotStop = p.str("SpotInterruptionBehavior"); s.spotStop {
	case "":
		s.spotStop = "Terminate"
	case "Terminate", "Stop":
	default:
		return bad400("InvalidSpotInterruptionBehavior", "The specified SpotInterruptionBehavior is not valid (Terminate or Stop).")
	}
	if !spot {
		s.spotDuration, s.spotStop = 0, "Terminate"
	}
	return nil
}

// spotView adds the spot fields and the reclaim lock to a DescribeInstances view.
func (in *instance) spotView(v *instanceView) {
	v.IsSpot = in.SpotStrategy == "SpotWithPriceLimit" || in.SpotStrategy == "SpotAsPriceGo"
	v.SpotDuration = in.SpotDuration
	v.SpotInterruptionBehavior = in.SpotInterruption
	if v.SpotInterruptionBehavior == "" {
		v.SpotInterruptionBehavior = "Terminate"
	}
	if !in.ReclaimAt.IsZero() {
		v.OperationLocks.LockReason = append(v.OperationLocks.LockReason, lockReason{LockReason: spotLockReason})
	}
}

// SpotReclaim is the answer of a reclaim: the event it recorded and when the
// instance is released or stopped.
type SpotReclaim struct {
	InstanceID string    `json:"instance_id"`
	EventID    string    `json:"event_id"`
	EventType  string    `json:"event_type"`
	Behavior   string    `json:"behavior"` // Terminate or Stop
	ReclaimAt  time.Time `json:"reclaim_at"`
}

// ErrNotSpot refuses a reclaim of an instance that is not a spot instance.
var ErrNotSpot = errors.New("not a spot instance")

// ReclaimSpot starts the service's reclaim of a spot instance: it records
// the interruption event, locks the instance (Recycling) and, after
// SpotReclaimNotice on the emulator clock, releases it (Terminate) or stops
// it in economical mode (Stop).
func (e *Emulator) ReclaimSpot(id string) (SpotReclaim, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	in := e.st.Instances[id]
	if in == nil {
		return SpotReclaim{}, fmt.Errorf("instance %q does not exist", id)
	}
	if in.SpotStrategy != "SpotWithPriceLimit" && in.SpotStrategy != "SpotAsPriceGo" {
		return SpotReclaim{}, fmt.Errorf("instance %s: %w (SpotStrategy %s)", id, ErrNotSpot, in.SpotStrategy)
	}
	if !in.ReclaimAt.IsZero() {
		return SpotReclaim{}, fmt.Errorf("instance %s is already being reclaimed (at %s)", id, in.ReclaimAt.Format(time.RFC3339))
	}
	now := e.nowLocked()
	action := "delete"
	if in.SpotInterruption == "Stop" {
		action = "stop"
	}
	ev := instanceEvent{
		Seq: e.st.nextSeq(), ID: "e-" + randomSuffix(20), InstanceID: in.ID, RegionID: in.RegionID,
		Type: SpotInterruptionEventType, CycleStatus: "Executing", Published: now,
		NotBefore: now.Add(SpotReclaimNotice), Reason: "The spot instance is reclaimed by the service.", Action: action,
	}
	e.st.Events = append(e.st.Events, ev)
	in.ReclaimAt = ev.NotBefore
	e.logf("spot reclaim %s at %s (%s)", in.ID, in.ReclaimAt.Format(time.RFC3339), action)
	e.recomputeDueLocked()
	if err := e.saveLocked(); err != nil {
		return SpotReclaim{}, err
	}
	behavior := in.SpotInterruption
	if behavior == "" {
		behavior = "Terminate"
	}
	return SpotReclaim{InstanceID: in.ID, EventID: ev.ID, EventType: ev.Type, Behavior: behavior, ReclaimAt: in.ReclaimAt}, nil
}

// fireReclaimsLocked carries out every reclaim whose notice has run out.
func (e *Emulator) fireReclaimsLocked(now time.Time) {
	for _, in := range e.st.Instances {
		if in.ReclaimAt.IsZero() || now.Before(in.ReclaimAt) {
			continue
		}
		at := in.ReclaimAt
		in.ReclaimAt = time.Time{}
		for i := range e.st.Events {
			if ev := &e.st.Events[i]; ev.InstanceID == in.ID && ev.Type == SpotInterruptionEventType && ev.CycleStatus == "Executing" {
				ev.CycleStatus, ev.Finished = "Executed", at
			}
		}
		if in.SpotInterruption == "Stop" {
			// Economical mode: vCPU and memory go back to the pool, and so
			// does the public IP; the disks stay.
			e.logf("spot reclaim: stop %s", in.ID)
			in.setPhases(at, "Stopped")
			in.StoppedMode = "StopCharging"
			in.PublicIP = ""
			continue
		}
		e.logf("spot reclaim: release %s", in.ID)
		e.releaseInstanceLocked(in, at)
	}
}

// adminReclaim handles POST /_emulator/spot/reclaim {"instance_id": "i-…"}.
func (e *Emulator) adminReclaim(w http.ResponseWriter, r *http.Request) {
	b, err := readAdminBody(r)
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	var req struct {
		InstanceID string `json:"instance_id"`
	}
	if err := strictJSON(b, &req); err != nil || req.InstanceID == "" {
		msg := `bad reclaim JSON (want {"instance_id": "i-…"})`
		if err != nil {
			msg += ": " + err.Error()
		}
		adminError(w, http.StatusBadRequest, msg)
		return
	}
	res, err := e.ReclaimSpot(req.InstanceID)
	switch {
	case err != nil && strings.Contains(err.Error(), "does not exist"):
		adminError(w, http.StatusNotFound, err.Error())
	case err != nil:
		adminError(w, http.StatusBadRequest, err.Error())
	default:
		adminJSON(w, res)
	}
}

type eventName struct {
	Name string `json:"Name"`
	Code int    `json:"Code"`
}

type instanceEventView struct {
	EventId           string    `json:"EventId"`
	InstanceId        string    `json:"InstanceId"`
	ResourceType      string    `json:"ResourceType"`
	EventType         eventName `json:"EventType"`
	EventCycleStatus  eventName `json:"EventCycleStatus"`
	EventPublishTime  string    `json:"EventPublishTime"`
	NotBefore         string    `json:"NotBefore"`
	EventFinishTime   string    `json:"EventFinishTime"`
	Reason            string    `json:"Reason"`
	ReasonCode        string    `json:"ReasonCode"`
	ImpactLevel       string    `json:"ImpactLevel"`
	ExtendedAttribute M         `json:"ExtendedAttribute"`
}

func (ev *instanceEvent) view() instanceEventView {
	v := instanceEventView{
		EventId: ev.ID, InstanceId: ev.InstanceID, ResourceType: "instance",
		EventType:        eventName{Name: ev.Type},
		EventCycleStatus: eventName{Name: ev.CycleStatus, Code: eventCycleCodes[ev.CycleStatus]},
		EventPublishTime: fullTime(ev.Published), NotBefore: fullTime(ev.NotBefore),
		Reason: ev.Reason, ReasonCode: "SpotInstanceInterruption", ImpactLevel: "WARN",
		ExtendedAttribute: M{"Action": ev.Action},
	}
	if !ev.Finished.IsZero() {
		v.EventFinishTime = fullTime(ev.Finished)
	}
	return v
}

// describeInstanceHistoryEvents lists instance events, filtered by the
// instance, event ids, types, cycle statuses and time ranges; every status
// is listed when none is asked for.
func describeInstanceHistoryEvents(c *call) (M, *apiError) {
	p := c.p
	if rt := p.str("ResourceType"); rt != "" && rt != "instance" && rt != "ddh" && rt != "managedhost" {
		return nil, errInvalidParam("ResourceType")
	}
	set := func(single string, list []string) map[string]bool {
		if single != "" {
			list = append(list, single)
		}
		if len(list) == 0 {
			return nil
		}
		m := map[string]bool{}
		for _, v := range list {
			m[v] = true
		}
		return m
	}
	ids := set(p.str("InstanceId"), p.list("ResourceId"))
	eventIDs := set("", p.list("EventId"))
	types := set(p.str("EventType"), p.list("InstanceEventType"))
	statuses := set(p.str("EventCycleStatus"), p.list("InstanceEventCycleStatus"))
	for s := range statuses {
		if _, ok := eventCycleCodes[s]; !ok {
			return nil, errInvalidParam("EventCycleStatus")
		}
	}
	var ranges [4]time.Time
	for i, k := range []string{"EventPublishTime.Start", "EventPublishTime.End", "NotBefore.Start", "NotBefore.End"} {
		if v := p.str(k); v != "" {
			t, err := time.Parse("2006-01-02T15:04:05Z", v)
			if err != nil {
				return nil, errInvalidParam(k)
			}
			ranges[i] = t
		}
	}
	in := func(t, from, to time.Time) bool {
		return (from.IsZero() || !t.Before(from)) && (to.IsZero() || !t.After(to))
	}
	pg, ae := c.page(pageLimits{defSize: 10, maxSize: 100, defResults: 10, minResults: 10, maxResults: 100})
	if ae != nil {
		return nil, ae
	}
	var matched []*instanceEvent
	for i := range c.e.st.Events {
		ev := &c.e.st.Events[i]
		if ev.RegionID != c.regionID() || (ids != nil && !ids[ev.InstanceID]) || (eventIDs != nil && !eventIDs[ev.ID]) ||
			(types != nil && !types[ev.Type]) || (statuses != nil && !statuses[ev.CycleStatus]) ||
			!in(ev.Published, ranges[0], ranges[1]) || !in(ev.NotBefore, ranges[2], ranges[3]) {
			continue
		}
		matched = append(matched, ev)
	}
	return answerPage(pg, matched, "InstanceSystemEventSet", "InstanceSystemEventType",
		func(ev *instanceEvent) instanceEventView { return ev.view() }), nil
}

func init() {
	actions["DescribeInstanceHistoryEvents"] = actionSpec{describeInstanceHistoryEvents, true}
}
