# The same machine with checkpoints while it runs: an automatic snapshot
# policy snapshots every disk every six hours and keeps each snapshot two
# days, also after the machine is gone. When the machine is lost without a
# pause (its release schedule fired, a spot reclaim, a destroy), the next
# run makes a new machine from the newest checkpoint:
#
#   terraform apply -var paused=true    # released, the checkpoints stay
#   terraform apply -var paused=false   # a new machine from the newest one

variable "paused" {
  type    = bool
  default = false
}

# Read by the policy's name, not its id: the policy lists the machine, so
# the machine cannot depend on the policy resource.
data "aliecs_snapshots" "checkpoints" {
  policy_name = "gpu-box-checkpoints"
}

locals {
  latest = data.aliecs_snapshots.checkpoints.latest_system_snapshot_id # "" before the first checkpoint
}

resource "aliecs_instance" "box" {
  count = var.paused ? 0 : 1

  # The first time from an image; after that from the newest checkpoint of
  # the system disk. Keep the work on the system disk (or give each data
  # disk its own checkpoint in data_disks[*].snapshot_id).
  image_id           = local.latest == "" ? "ubuntu_22_04_x64_20G_gpu_cuda12_alibase_20240101.vhd" : null
  source_snapshot_id = local.latest == "" ? null : local.latest

  instance_name      = "gpu-box"
  instance_type      = "ecs.gn7i-c8g1.2xlarge"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
  system_disk        = { size = 100 }

  lifecycle {
    # A newer checkpoint never replaces the running machine.
    ignore_changes = [image_id, source_snapshot_id]
  }
}

# 0, 6, 12 and 18 o'clock UTC+8, every day; each checkpoint is kept two days.
resource "aliecs_snapshot_policy" "checkpoints" {
  name            = "gpu-box-checkpoints"
  time_points     = [0, 6, 12, 18]
  repeat_weekdays = [1, 2, 3, 4, 5, 6, 7]
  retention_days  = 2
  instance_ids    = aliecs_instance.box[*].id
}

output "newest_checkpoint" {
  value = local.latest
}
