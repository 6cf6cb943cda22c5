package emulator

import (
	"net/http"
	"strings"
	"time"
)

// Maintenance attributes. A new instance has none set: no maintenance
// window, no notification, and the default action AutoRecover. The
// official alicloud provider reads them on every refresh (maintenance_time
// is Optional, not Computed, so a window nobody set would diff forever)
// and writes them with ModifyInstanceMaintenanceAttributes.

// maintenance is what ModifyInstanceMaintenanceAttributes last set.
type maintenance struct {
	Windows []maintenanceWindow `json:"windows,omitempty"`
	Action  string              `json:"action,omitempty"` // "" = the default, AutoRecover
	Notify  bool                `json:"notify,omitempty"`
}

type maintenanceWindow struct {
	Start string `json:"start"` // HH:mm:ss (UTC+8 on the service; kept as given)
	End   string `json:"end"`
}

const defaultMaintenanceAction = "AutoRecover"

var maintenanceActions = map[string]bool{"Stop": true, "AutoRecover": true, "AutoRedeploy": true}

func maintenanceView(in *instance) M {
	m := in.Maintenance
	if m == nil {
		m = &maintenance{}
	}
	action := m.Action
	if action == "" {
		action = defaultMaintenanceAction
	}
	windows := []M{}
	for _, w := range m.Windows {
		windows = append(windows, M{"StartTime": w.Start, "EndTime": w.End})
	}
	return M{
		"InstanceId": in.ID, "NotifyOnMaintenance": m.Notify,
		"ActionOnMaintenance": M{"DefaultValue": defaultMaintenanceAction, "Value": action,
			"SupportedValues": M{"SupportedValue": []string{"Stop", "AutoRecover", "AutoRedeploy"}}},
		"MaintenanceWindows": M{"MaintenanceWindow": windows},
	}
}

func describeInstanceMaintenanceAttributes(c *call) (M, *apiError) {
	ids := c.p.list("InstanceId")
	if len(ids) > 100 {
		return nil, newErr(http.StatusForbidden, "InstanceIdLimitExceeded", "The number of InstanceId exceeds 100.")
	}
	out := []M{}
	for _, in := range c.instancesNamed(ids) {
		out = append(out, maintenanceView(in))
	}
	return M{"TotalCount": len(out), "PageNumber": 1, "PageSize": 10,
		"MaintenanceAttributes": M{"MaintenanceAttribute": out}}, nil
}

// onTheHour parses HH:00:00.
func onTheHour(s string) (int, bool) {
	t, err := time.Parse("15:04:05", s)
	if err != nil || t.Minute() != 0 || t.Second() != 0 {
		return 0, false
	}
	return t.Hour(), true
}

// modifyInstanceMaintenanceAttributes sets the window (both times on the
// hour, the end 1–23 hours after the start; no window given = none), the
// action and the notification of up to 100 instances. What it sets is
// kept and reported by DescribeInstanceMaintenanceAttributes.
func modifyInstanceMaintenanceAttributes(c *call) (M, *apiError) {
	ids := c.p.list("InstanceId")
	switch {
	case len(ids) == 0:
		return nil, errMissing("InstanceId")
	case len(ids) > 100:
		return nil, newErr(http.StatusForbidden, "InstanceIdLimitExceeded", "The number of InstanceId exceeds 100.")
	}
	var windows []maintenanceWindow
	for _, w := range c.p.structs("MaintenanceWindow") {
		start, end := strings.TrimSpace(w["StartTime"]), strings.TrimSpace(w["EndTime"])
		if start == "" && end == "" {
			continue
		}
		sh, ok1 := onTheHour(start)
		eh, ok2 := onTheHour(end)
		if !ok1 || !ok2 || (eh-sh+24)%24 == 0 {
			return nil, newErr(http.StatusForbidden, "InvalidParameter",
				"The specified MaintenanceWindow is not valid: StartTime and EndTime are HH:00:00, 1 to 23 hours apart.")
		}
		windows = append(windows, maintenanceWindow{Start: start, End: end})
	}
	action := c.p.str("ActionOnMaintenance")
	if action != "" && !maintenanceActions[action] {
		return nil, newErr(http.StatusForbidden, "InvalidParameter", "The specified ActionOnMaintenance is not valid.")
	}
	notify, ae := c.p.boolean("NotifyOnMaintenance", false)
	if ae != nil {
		return nil, ae
	}
	var targets []*instance
	for _, id := range ids {
		in := c.findInstance(strings.TrimSpace(id))
		if in == nil {
			return nil, errInstanceNotFound()
		}
		targets = append(targets, in)
	}
	for _, in := range targets {
		m := &maintenance{Windows: append([]maintenanceWindow(nil), windows...), Notify: notify}
		if in.Maintenance != nil {
			m.Action = in.Maintenance.Action
		}
		if action != "" {
			m.Action = action
		}
		in.Maintenance = m
	}
	c.dirty = true
	return ok()
}

func init() {
	actions["DescribeInstanceMaintenanceAttributes"] = actionSpec{describeInstanceMaintenanceAttributes, true}
	actions["ModifyInstanceMaintenanceAttributes"] = actionSpec{modifyInstanceMaintenanceAttributes, true}
}
