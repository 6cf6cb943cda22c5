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

// Docs that work when copied: the Terraform Registry does not rewrite
// relative links, so links between pages are absolute Registry URLs; and
// every page with a configuration shows or names the required_providers
// block (without it Terraform looks for hashicorp/aliecs).
func TestDocsWorkWhenCopied(t *testing.T) {
	root := filepath.Join("..", "..")
	relative := regexp.MustCompile(`\]\((?:\.\./|\./)?[a-z_/-]+\.md(?:#[^)]*)?\)`)
	templates, err := filepath.Glob(filepath.Join(root, "templates", "*", "*.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	templates = append(templates, filepath.Join(root, "templates", "index.md.tmpl"))
	for _, p := range templates {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := relative.FindAllString(string(b), -1); len(m) > 0 {
			t.Errorf("%s links to pages by relative paths, which 404 on the Registry: %v", p, m)
		}
		if p != filepath.Join(root, "templates", "index.md.tmpl") &&
			!strings.Contains(string(b), `required_providers { aliecs = { source = "aliecs/aliecs" } }`) {
			t.Errorf("%s does not name the required_providers block", p)
		}
	}
	examples, err := filepath.Glob(filepath.Join(root, "examples", "data-sources", "*", "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	examples = append(examples, filepath.Join(root, "examples", "provider", "provider.tf"),
		filepath.Join(root, "examples", "quickstart", "main.tf"))
	for _, p := range examples {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `source = "aliecs/aliecs"`) {
			t.Errorf("%s (shown on a page with no template) lacks the required_providers block", p)
		}
	}
}
