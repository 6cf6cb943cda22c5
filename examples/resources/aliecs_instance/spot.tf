# A spot machine: a fraction of the on-demand price, but the service can
# reclaim it (with a 5-minute notice) when it needs the capacity back.
resource "aliecs_instance" "trainer" {
  image_id           = "ubuntu_22_04_x64_20G_gpu_cuda12_alibase_20240101.vhd"
  instance_type      = "ecs.gn7i-c8g1.2xlarge"
  vswitch_id         = "vsw-bp1h3g6rxfgpq13t85nc"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]

  spot_strategy    = "SpotWithPriceLimit" # or "SpotAsPriceGo": pay the current spot price
  spot_price_limit = 11                   # per hour, at most 3 decimals
  spot_duration    = 1                    # not reclaimed in its first hour (0 = no protection)

  # "Stop" keeps the disks when the machine is reclaimed: the next apply starts it
  # again. "Terminate" (the default) releases it: the state keeps a tombstone and
  # terraform apply -replace=aliecs_instance.trainer brings a new one.
  spot_interruption_behavior = "Stop"

  data_disks = [{ size = 200 }]
}
