terraform {
  required_providers {
    aliecs = { source = "aliecs/aliecs" }
  }
}

# The A10 machines (not the A100: the regular expression ends at "A10") that
# some zone can sell right now as spot machines, cheapest first.
data "aliecs_instance_types" "a10_spot" {
  min_gpu_amount  = 1
  gpu_spec_regex  = "A10$"
  spot_strategy   = "SpotAsPriceGo"
  only_with_stock = true
  with_prices     = true # a price call per type: off by default
  max_results     = 5
}

locals {
  cheapest = data.aliecs_instance_types.a10_spot.instance_types[0]
  # Its zone with the lowest spot price right now.
  lowest    = min([for z in local.cheapest.zones : z.spot_price]...)
  best_zone = [for z in local.cheapest.zones : z.zone_id if z.spot_price == local.lowest][0]
}

output "offer" {
  value = "${local.cheapest.id} (${local.cheapest.gpu_amount} x ${local.cheapest.gpu_spec}, ${local.cheapest.cpu} vCPU, ${local.cheapest.memory} MiB): ${local.lowest} ${local.cheapest.price_currency}/h in ${local.best_zone}, ${local.cheapest.price_per_hour} on demand"
}

# Which zones have any ARM machine with 16 GiB, and how much stock.
data "aliecs_instance_types" "arm" {
  architecture = "ARM"
  min_memory   = 16384
}

output "arm_stock" {
  value = { for t in data.aliecs_instance_types.arm.instance_types : t.id => { for z in t.zones : z.zone_id => z.stock } }
}
