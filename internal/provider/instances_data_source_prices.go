package provider

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// The console's Cost column for aliecs_instances: each instance's price per
// hour and an estimate of what it has cost since it was created. The disks
// of every instance come from one listing of the region's disks (or one
// read per instance in a region with many disks: ecsapi.DisksOf), and each
// distinct shape (type, disks, bandwidth, spot zone) is priced once, through
// the provider's price cache: listing 100 identical machines costs two
// calls more than listing them without prices.

// priceParallelism bounds the concurrent price reads of one listing.
const priceParallelism = 4

// instanceCost is one instance's price and estimated cost so far.
type instanceCost struct {
	perHour, soFar types.Float64
}

// priceInstances prices the instances found. A failure is one warning and
// null prices, never an error.
func (d *instancesDataSource) priceInstances(ctx context.Context, found []ecsapi.Instance, diags *diag.Diagnostics) map[string]instanceCost {
	out := map[string]instanceCost{}
	for _, inst := range found {
		out[inst.ID] = instanceCost{perHour: types.Float64Null(), soFar: types.Float64Null()}
	}
	if len(found) == 0 {
		return out
	}
	ids := make([]string, 0, len(found))
	for _, inst := range found {
		ids = append(ids, inst.ID)
	}
	disks, err := d.data.client.DisksOf(ctx, ids)
	if err != nil {
		diags.AddAttributeWarning(path.Root("instances"), "Cannot read the instances' prices",
			fmt.Sprintf("Listing the disks to price the instances failed: %s. price_per_hour and "+
				"estimated_cost_so_far are left empty (null).", strings.TrimSuffix(err.Error(), ".")))
		return out
	}
	queries := map[string]ecsapi.PriceQuery{}
	keyOf := map[string]string{}
	for _, inst := range found {
		q := ecsapi.PriceQueryOf(inst, disks[inst.ID])
		queries[q.Key()], keyOf[inst.ID] = q, q.Key()
	}
	keys := make([]string, 0, len(queries))
	for k := range queries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	prices := make(map[string]float64, len(keys))
	read, ok := make([]float64, len(keys)), make([]bool, len(keys))
	failed := readPrices(len(keys), func(i int, fail func(string, error)) {
		p, err := lookupPrice(ctx, d.data, queries[keys[i]])
		if err != nil {
			fail(describeQuery(queries[keys[i]]), err)
			return
		}
		read[i], ok[i] = p.TradePrice, true
	})
	for i, k := range keys {
		if ok[i] {
			prices[k] = read[i]
		}
	}
	if len(failed) > 0 {
		diags.AddAttributeWarning(path.Root("instances"), "Cannot read some instances' prices",
			"Their price_per_hour and estimated_cost_so_far are left empty (null). "+strings.Join(failed, "; ")+".")
	}
	now := d.data.clock.Now()
	for _, inst := range found {
		p, ok := prices[keyOf[inst.ID]]
		if !ok {
			continue
		}
		c := instanceCost{perHour: types.Float64Value(p), soFar: types.Float64Null()}
		if created, err := time.Parse(time.RFC3339, apiTimeToRFC3339(inst.CreationTime)); err == nil && !created.After(now) {
			c.soFar = types.Float64Value(math.Round(p*now.Sub(created).Hours()*10000) / 10000)
		}
		out[inst.ID] = c
	}
	return out
}

// readPrices runs read for i in [0, n), priceParallelism at a time. Each read
// reports its own failure through fail, and the failures come back sorted for
// one warning: a price that cannot be read is never an error.
func readPrices(n int, read func(i int, fail func(what string, err error))) []string {
	var (
		mu     sync.Mutex
		failed []string
		wg     sync.WaitGroup
		slots  = make(chan struct{}, priceParallelism)
	)
	fail := func(what string, err error) {
		mu.Lock()
		defer mu.Unlock()
		failed = append(failed, what+": "+strings.TrimSuffix(err.Error(), "."))
	}
	for i := range n {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			read(i, fail)
		}()
	}
	wg.Wait()
	sort.Strings(failed)
	return failed
}
