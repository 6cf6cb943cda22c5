package depsfloor

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// requires reads the module versions go.mod requires (both require forms).
func requires(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	inBlock := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "require (":
			inBlock = true
			continue
		case inBlock && line == ")":
			inBlock = false
			continue
		case strings.HasPrefix(line, "require "):
			line = strings.TrimSpace(strings.TrimPrefix(line, "require "))
		case !inBlock:
			continue
		}
		if fields := strings.Fields(line); len(fields) == 2 {
			out[fields[0]] = fields[1]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// compareVersions compares two semantic versions vX.Y.Z[-pre][+build]: a
// pre-release (pseudo-versions included) is older than its release.
func compareVersions(a, b string) int {
	split := func(v string) ([3]int, string) {
		v = strings.TrimPrefix(v, "v")
		if i := strings.IndexByte(v, '+'); i >= 0 {
			v = v[:i]
		}
		pre := ""
		if i := strings.IndexByte(v, '-'); i >= 0 {
			v, pre = v[:i], v[i+1:]
		}
		var n [3]int
		for i, p := range strings.SplitN(v, ".", 3) {
			n[i], _ = strconv.Atoi(p)
		}
		return n, pre
	}
	na, pa := split(a)
	nb, pb := split(b)
	for i := range na {
		if na[i] != nb[i] {
			if na[i] < nb[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case pa == pb:
		return 0
	case pa == "":
		return 1
	case pb == "":
		return -1
	case pa < pb:
		return -1
	}
	return 1
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"v0.52.0", "v0.55.0", -1}, {"v0.58.0", "v0.55.0", 1}, {"v1.83.2", "v1.83.2", 0},
		{"v1.9.0", "v1.10.0", -1}, {"v1.84.0-rc1", "v1.84.0", -1}, {"v2.0.0+incompatible", "v1.9.9", 1},
	} {
		if got := compareVersions(c.a, c.b); got != c.want {
			t.Errorf("compareVersions(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// Every module in deps-floor.txt is required by go.mod at its floor or
// newer (issue #24, item 5: x/net v0.52.0 and grpc v1.79.3 had advisories).
func TestDependencyFloors(t *testing.T) {
	root := filepath.Join("..", "..")
	req := requires(t, filepath.Join(root, "go.mod"))
	f, err := os.Open(filepath.Join(root, "deps-floor.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	floors := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.HasPrefix(fields[1], "v") {
			t.Errorf("deps-floor.txt: %q is not \"module version reason\"", line)
			continue
		}
		floors++
		mod, floor := fields[0], fields[1]
		have, ok := req[mod]
		if !ok {
			t.Errorf("deps-floor.txt names %s, which go.mod does not require: drop the line or fix the name", mod)
			continue
		}
		if compareVersions(have, floor) < 0 {
			t.Errorf("go.mod requires %s %s, older than its floor %s (%s)", mod, have, floor, strings.Join(fields[2:], " "))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if floors == 0 {
		t.Fatal("deps-floor.txt lists no floor")
	}
}
