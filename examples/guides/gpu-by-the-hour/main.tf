# A GPU machine by the hour: the cheapest A10 machine some zone can sell
# right now, spot or on demand, released automatically after a few hours,
# with a snapshot of its disks when you destroy it first.
#
#   terraform apply                   # a spot machine
#   terraform apply -var spot=false   # on demand (replaces a spot machine)
#   terraform apply -var hours=24h    # keep it longer: the release moves
#   terraform destroy                 # snapshot, then release

variable "spot" {
  type    = bool
  default = true
}

variable "hours" {
  type    = string
  default = "8h" # the safety net: the service releases the machine then
}

# The vSwitch to use in each zone.
variable "vswitches" {
  type = map(string)
  default = {
    "cn-hangzhou-h" = "vsw-bp1ybfpozawwsfamc57q"
    "cn-hangzhou-i" = "vsw-bp1h3g6rxfgpq13t85nc"
    "cn-hangzhou-j" = "vsw-bp1ljh76nt93ws4pyp1e"
  }
}

locals {
  strategy = var.spot ? "SpotAsPriceGo" : "NoSpot"
}

data "aliecs_instance_types" "a10" {
  min_gpu_amount  = 1
  gpu_spec_regex  = "A10$"
  spot_strategy   = local.strategy
  only_with_stock = true
  with_prices     = true
  max_results     = 5
}

locals {
  offers = [for t in data.aliecs_instance_types.a10.instance_types : t if length(t.zones) > 0]
  best   = try(local.offers[0], null)
  # On demand: the first zone with stock; spot: the zone with the lowest spot price.
  lowest = try(min([for z in local.best.zones : z.spot_price]...), null)
  zone   = try(var.spot ? [for z in local.best.zones : z.zone_id if z.spot_price == local.lowest][0] : local.best.zones[0].zone_id, null)
}

# The keeper: the type and zone picked when the machine is created. Prices
# and stock change by themselves and the data source is read on every plan;
# ignoring its later answers means they never replace or resize a running
# machine. To pick again: terraform apply -replace=terraform_data.choice
resource "terraform_data" "choice" {
  input = local.best == null ? null : { type = local.best.id, zone = local.zone }

  lifecycle {
    ignore_changes = [input]
    precondition {
      condition     = local.best != null
      error_message = "No zone has an A10 machine in stock right now (${local.strategy}): try later, or another region."
    }
  }
}

resource "aliecs_instance" "gpu" {
  instance_name      = "gpu-by-the-hour"
  image_id           = "ubuntu_22_04_x64_20G_gpu_cuda12_alibase_20240101.vhd"
  instance_type      = terraform_data.choice.output.type
  vswitch_id         = var.vswitches[terraform_data.choice.output.zone]
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
  system_disk        = { size = 60 }
  data_disks         = [{ size = 200 }]

  spot_strategy = local.strategy
  # Spot: a reclaimed machine keeps its disks, and the next apply starts it.
  # On demand is never reclaimed: null leaves the default.
  spot_interruption_behavior = var.spot ? "Stop" : null

  # terraform destroy: a graceful stop, a snapshot of every disk, and the
  # release only once the snapshot is accomplished.
  final_snapshot = {
    name = "gpu-by-the-hour-final"
  }
}

# The safety net for a forgotten machine. The service releases it at that
# time WITHOUT a snapshot: destroy it yourself before then to keep its data.
resource "aliecs_auto_release_schedule" "gpu" {
  instance_id   = aliecs_instance.gpu.id
  release_after = var.hours
}

output "machine" {
  value = "${aliecs_instance.gpu.instance_type} in ${aliecs_instance.gpu.zone_id}, ${aliecs_instance.gpu.ssh_command}"
}

output "cost" {
  value = "${aliecs_instance.gpu.price_per_hour} ${aliecs_instance.gpu.price_currency}/h, about ${aliecs_auto_release_schedule.gpu.estimated_cost_until_release} until ${aliecs_auto_release_schedule.gpu.effective_release_time}"
}
