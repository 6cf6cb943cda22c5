package emulator

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// params are the merged request parameters (first value of each key).
type params map[string]string

func (p params) str(k string) string { return p[k] }

func (p params) has(k string) bool { _, ok := p[k]; return ok }

// boolean parses "true"/"false" (any case); absent gives def.
func (p params) boolean(k string, def bool) (bool, *apiError) {
	v, ok := p[k]
	if !ok || v == "" {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errInvalidParam(k)
}

// integer parses a decimal within [min,max]; absent gives def. A bad value
// gives bad (or InvalidParameter when bad is nil).
func (p params) integer(k string, def, min, max int, bad *apiError) (int, *apiError) {
	v, ok := p[k]
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		if bad != nil {
			return 0, bad
		}
		return 0, errInvalidParam(k)
	}
	return n, nil
}

// indexed returns the values of Name.N keys ordered by N (N ≥ 1), without
// allocating by N, so a huge N is harmless.
func (p params) indexed(prefix string) []indexedValue {
	var out []indexedValue
	for k, v := range p {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		n, sub, _ := strings.Cut(rest, ".")
		i, err := strconv.Atoi(n)
		if err != nil || i < 1 {
			continue
		}
		out = append(out, indexedValue{N: i, Sub: sub, Value: v})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].N != out[b].N {
			return out[a].N < out[b].N
		}
		return out[a].Sub < out[b].Sub
	})
	return out
}

type indexedValue struct {
	N     int
	Sub   string
	Value string
}

// list returns the non-empty values of Name.N in order of N.
func (p params) list(prefix string) []string {
	var out []string
	for _, iv := range p.indexed(prefix) {
		if iv.Sub == "" && iv.Value != "" {
			out = append(out, iv.Value)
		}
	}
	return out
}

// structs groups Name.N.Field values by N.
func (p params) structs(prefix string) []map[string]string {
	var out []map[string]string
	last := -1
	for _, iv := range p.indexed(prefix) {
		if iv.Sub == "" {
			continue
		}
		if iv.N != last {
			out = append(out, map[string]string{})
			last = iv.N
		}
		out[len(out)-1][iv.Sub] = iv.Value
	}
	return out
}

// jsonList parses a JSON-array-string parameter such as InstanceIds.
func (p params) jsonList(k string, max int, bad *apiError) ([]string, bool, *apiError) { //nolint:unparam // each action has its own limit; today's all say 100
	v, ok := p[k]
	if !ok || v == "" {
		return nil, false, nil
	}
	var out []string
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		if bad != nil {
			return nil, true, bad
		}
		return nil, true, errInvalidParam(k)
	}
	if len(out) > max {
		if bad != nil {
			return nil, true, bad
		}
		return nil, true, errInvalidParam(k)
	}
	return out, true, nil
}

// tags parses Tag.N.Key/Value: at most 20, keys non-empty and unique.
func (p params) tags(prefix string) ([]tag, *apiError) { //nolint:unparam // the prefix names the parameter family, as structs does
	var out []tag
	for _, m := range p.structs(prefix) {
		k, v := m["Key"], m["Value"]
		if k == "" {
			if v == "" {
				continue
			}
			return nil, newErr(http.StatusBadRequest, "InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.")
		}
		if len(k) > 128 || strings.HasPrefix(k, "aliyun") || strings.HasPrefix(k, "acs:") ||
			strings.HasPrefix(k, "http://") || strings.HasPrefix(k, "https://") {
			return nil, newErr(http.StatusBadRequest, "InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.")
		}
		if len(v) > 128 || strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
			return nil, newErr(http.StatusBadRequest, "InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid.")
		}
		for _, t := range out {
			if t.Key == k {
				return nil, newErr(http.StatusBadRequest, "InvalidTag.Mismatch", "The specified Tag.n.Key and Tag.n.Value are not match.")
			}
		}
		out = append(out, tag{Key: k, Value: v})
	}
	if len(out) > 20 {
		return nil, newErr(http.StatusBadRequest, "InvalidTagCount", "The specified tags are beyond the permitted range.")
	}
	return out, nil
}

// call is one action being handled, under the state lock.
type call struct {
	e      *Emulator
	req    *request
	p      params
	now    time.Time
	region *regionCatalog
	fx     faultEffects
	reqID  string
	dirty  bool
}

func (c *call) regionID() string { return c.region.Region.RegionId }

// resolveRegion requires RegionId and finds or generates its catalog.
func (c *call) resolveRegion() *apiError {
	id := c.p.str("RegionId")
	if id == "" {
		id = c.p.str("regionId") // the policy actions' documented spelling
	}
	if id == "" {
		return errMissing("RegionId")
	}
	rc, ae := c.e.regionLocked(id)
	if ae != nil {
		return ae
	}
	c.region = rc
	return nil
}

func (e *Emulator) regionLocked(id string) (*regionCatalog, *apiError) {
	if rc, ok := e.regions[id]; ok {
		return rc, nil
	}
	if !validRegionID(id) {
		return nil, newErr(http.StatusNotFound, "InvalidRegionId.NotFound", "The specified RegionId does not exist.")
	}
	rc := buildRegion(id)
	e.regions[id] = rc
	e.st.Regions = append(e.st.Regions, id)
	return rc, nil
}

// dryRun reports DryRun=true (invalid values are an error).
func (c *call) dryRun() (bool, *apiError) { return c.p.boolean("DryRun", false) }

// M is a response object.
type M = map[string]any

func ok() (M, *apiError) { return M{}, nil }

// instanceTime formats instance times as the service does: no seconds.
func instanceTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04Z")
}

// fullTime formats snapshot, disk and image times.
func fullTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
