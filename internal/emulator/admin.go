package emulator

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// serveAdmin serves the unsigned admin API under /_emulator/. Without an
// admin token it answers loopback clients only, even when the API listens on
// a remote address; writes need Content-Type: application/json.
func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if status, why := e.adminRefusal(r); status != 0 {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ecs-emulator"`)
		}
		adminError(w, status, why)
		return
	}
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/_emulator/"), "/")
	switch path + " " + r.Method {
	case "state GET":
		adminJSON(w, e.State())
	case "calls GET":
		adminJSON(w, e.Calls())
	case "calls DELETE":
		e.ResetCalls()
		adminJSON(w, map[string]int{})
	case "faults GET":
		adminJSON(w, e.Faults())
	case "faults POST":
		e.adminAddFaults(w, r)
	case "faults DELETE":
		e.ClearFaults()
		adminJSON(w, []FaultStatus{})
	case "clock GET":
		adminJSON(w, map[string]string{"now": e.Now().Format(time.RFC3339)})
	case "clock POST":
		e.adminClock(w, r)
	case "sts GET", "sts POST":
		e.adminSTS(w, r)
	case "stock POST":
		e.adminStock(w, r)
	case "spot/reclaim POST":
		e.adminReclaim(w, r)
	case "reset POST":
		e.Reset()
		adminJSON(w, map[string]bool{"reset": true})
	default:
		adminError(w, http.StatusNotFound, "unknown admin endpoint "+r.Method+" "+r.URL.Path)
	}
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func adminJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func adminError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func readAdminBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
}

// adminAddFaults accepts one fault object or an array of them.
func (e *Emulator) adminAddFaults(w http.ResponseWriter, r *http.Request) {
	b, err := readAdminBody(r)
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	var list []Fault
	trimmed := strings.TrimSpace(string(b))
	if strings.HasPrefix(trimmed, "[") {
		err = strictJSON(b, &list)
	} else {
		var f Fault
		err = strictJSON(b, &f)
		list = []Fault{f}
	}
	if err != nil {
		adminError(w, http.StatusBadRequest, "bad fault JSON: "+err.Error())
		return
	}
	for _, f := range list {
		if f.HTTPStatus != 0 && (f.HTTPStatus < 400 || f.HTTPStatus > 599) {
			adminError(w, http.StatusBadRequest, "http_status must be 400-599")
			return
		}
		if f.Probability < 0 || f.Probability > 1 || f.Count < 0 || f.DelayMS < 0 ||
			f.InvisibleForMS < 0 || f.InvisibleForCalls < 0 {
			adminError(w, http.StatusBadRequest, "probability must be 0-1 and counts and delays non-negative")
			return
		}
	}
	for _, f := range list {
		e.AddFault(f)
	}
	adminJSON(w, e.Faults())
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// adminClock handles {"advance": "45m"}.
func (e *Emulator) adminClock(w http.ResponseWriter, r *http.Request) {
	b, err := readAdminBody(r)
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	var req struct {
		Advance string `json:"advance"`
	}
	if err := strictJSON(b, &req); err != nil {
		adminError(w, http.StatusBadRequest, "bad clock JSON: "+err.Error())
		return
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil || d < 0 || d > MaxClockAdvance {
		adminError(w, http.StatusBadRequest, "advance must be a non-negative Go duration such as \"45m\", at most "+
			durationText(MaxClockAdvance)+" (10 years)")
		return
	}
	if err := e.AdvanceClockBy(d); err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	adminJSON(w, map[string]string{"now": e.Now().Format(time.RFC3339)})
}
