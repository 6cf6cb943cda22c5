package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// The aliecs_instance_types row: one terraform plan whose only work is the
// data source, on demand and spot, with and without prices, listing every
// type of the catalog (max_results 100). Its calls are one
// DescribeInstanceTypes, one DescribeAvailableResource and, with prices, one
// DescribePrice per type (and one DescribeSpotPriceHistory per type for spot).

type typesCase struct {
	name, body string
}

var typesCases = []typesCase{
	{"no prices", `max_results = 100`},
	{"on-demand prices", `max_results = 100
  with_prices = true`},
	{"spot prices", `max_results = 100
  with_prices   = true
  spot_strategy = "SpotAsPriceGo"`},
}

type typesResult struct {
	name  string
	wall  time.Duration
	calls map[string]int
}

func (r typesResult) total() int {
	t := 0
	for _, c := range r.calls {
		t += c
	}
	return t
}

func runTypesScenario(bins binaries, work string) ([]typesResult, error) {
	emu, err := startEmulator(bins.emulator, 0, 0)
	if err != nil {
		return nil, err
	}
	defer emu.stop()
	var out []typesResult
	for i, tc := range typesCases {
		dir, err := os.MkdirTemp(work, fmt.Sprintf("types%d-", i))
		if err != nil {
			return nil, err
		}
		body := fmt.Sprintf(`
data "aliecs_instance_types" "all" {
  %s
}

output "types" {
  value = length(data.aliecs_instance_types.all.instance_types)
}
`, tc.body)
		if err := writeWorkdir(dir, bins.provider, emu.url, "", body); err != nil {
			return nil, err
		}
		if _, err := emu.calls(); err != nil {
			return nil, err
		}
		wall, _, err := runTerraform(dir, scenario{batching: true}, bins.provider, []string{"plan", "-input=false"})
		if err != nil {
			return nil, fmt.Errorf("aliecs_instance_types %s: %w", tc.name, err)
		}
		r := typesResult{name: tc.name, wall: wall}
		if r.calls, err = emu.calls(); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func renderTypes(b *strings.Builder, results []typesResult) {
	if len(results) == 0 {
		return
	}
	fmt.Fprintf(b, "\n### aliecs_instance_types\n\nA `terraform plan` whose only work is the data source, listing every "+
		"type of the emulator's catalog (`max_results = 100`).\n\n")
	fmt.Fprintf(b, "| data source | wall | API calls | calls per action |\n|---|---|---|---|\n")
	for _, r := range results {
		fmt.Fprintf(b, "| %s | %s | %d | %s |\n", r.name, round(r.wall), r.total(), formatCalls(r.calls))
	}
}
