package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The minimum RAM policy in the docs lists exactly the ECS actions the
// provider calls: every request type ecsapi fills (*ecs.<Action>Request).
func TestDocsMinimumPolicyMatchesTheCode(t *testing.T) {
	tmpl, err := os.ReadFile(filepath.Join("..", "..", "templates", "index.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile(`"ecs:([A-Za-z]+)"`).FindAllStringSubmatch(string(tmpl), -1) {
		documented[m[1]] = true
	}
	files, err := filepath.Glob(filepath.Join("..", "ecsapi", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	called := map[string]bool{}
	request := regexp.MustCompile(`\*ecs\.([A-Za-z]+)Request\b`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range request.FindAllStringSubmatch(string(b), -1) {
			called[m[1]] = true
		}
	}
	if len(called) < 10 {
		t.Fatalf("found only %d actions in ecsapi; the test would prove nothing", len(called))
	}
	var missing, extra []string
	for a := range called {
		if !documented[a] {
			missing = append(missing, a)
		}
	}
	for a := range documented {
		if !called[a] {
			extra = append(extra, a)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Fatalf("templates/index.md.tmpl's minimum policy is out of date: missing %v, not called %v", missing, extra)
	}
}
