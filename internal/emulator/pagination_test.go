package emulator

import (
	"sort"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// The paging fields of each mode, as answerPage writes them.
func TestAnswerPageFields(t *testing.T) {
	f := newFixture(t, Options{})
	ids := f.run(3, func(r *ecs.RunInstancesRequest) { r.SystemDiskCategory = "cloud_essd" })
	for _, id := range ids[:2] {
		if _, err := f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = id }); err != nil {
			t.Fatal(err)
		}
	}
	keys := func(m map[string]any) string {
		var out []string
		for k := range m {
			if k != "RequestId" {
				out = append(out, k)
			}
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		name   string
		params map[string]string
		keys   string
		want   map[string]any // values, JSON numbers as float64
		count  int
	}{
		{"page numbers", map[string]string{"Action": "DescribeInstances", "PageNumber": "2", "PageSize": "2"},
			"Instances,NextToken,PageNumber,PageSize,TotalCount",
			map[string]any{"PageNumber": 2.0, "PageSize": 2.0, "TotalCount": 3.0, "NextToken": ""}, 1},
		{"first page by number", map[string]string{"Action": "DescribeInstances", "PageSize": "2"},
			"Instances,NextToken,PageNumber,PageSize,TotalCount",
			map[string]any{"PageNumber": 1.0, "PageSize": 2.0, "TotalCount": 3.0}, 2},
		{"tokens", map[string]string{"Action": "DescribeInstanceStatus", "MaxResults": "2"},
			"InstanceStatuses,MaxResults,NextToken,PageNumber,PageSize,TotalCount",
			map[string]any{"PageNumber": 1.0, "PageSize": 2.0, "MaxResults": 2.0, "TotalCount": 3.0}, 2},
		{"token-only action", map[string]string{"Action": "DescribeSnapshotGroups", "MaxResults": "1", "PageNumber": "2"},
			"NextToken,SnapshotGroups", nil, 1},
	} {
		status, m := f.raw(rawReq{params: tc.params})
		if status != 200 {
			t.Fatalf("%s: %d %v", tc.name, status, m)
		}
		if got := keys(m); got != tc.keys {
			t.Errorf("%s: fields %s, want %s", tc.name, got, tc.keys)
		}
		for k, v := range tc.want {
			if m[k] != v {
				t.Errorf("%s: %s = %v, want %v", tc.name, k, m[k], v)
			}
		}
		var list []any
		for k, v := range m {
			if set, ok := v.(map[string]any); ok && k != "RequestId" {
				for _, items := range set {
					list, _ = items.([]any)
				}
			}
		}
		if len(list) != tc.count {
			t.Errorf("%s: %d items, want %d", tc.name, len(list), tc.count)
		}
		if tok, _ := m["NextToken"].(string); tc.count == 2 || tc.name == "token-only action" {
			if len(tok) != 32 {
				t.Errorf("%s: NextToken %q, want 32 hex digits", tc.name, tok)
			}
		}
	}
}
