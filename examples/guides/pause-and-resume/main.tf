# A GPU machine that you pause (snapshot its disks, then release it: no more
# hourly bill) and resume (a new machine from the newest snapshot) with one
# variable:
#
#   terraform apply -var paused=true    # stopped, snapshotted, released
#   terraform apply -var paused=false   # a new machine from the latest pause

variable "paused" {
  type    = bool
  default = false
}

# Every pause leaves one snapshot group named "gpu-box-pause", kept until you
# delete it; the list is oldest first.
data "aliecs_snapshots" "pauses" {
  name_regex = "^gpu-box-pause$"
  status     = "accomplished"
}

locals {
  pauses = data.aliecs_snapshots.pauses.ids
  latest = length(local.pauses) > 0 ? local.pauses[length(local.pauses) - 1] : null
}

resource "aliecs_instance" "box" {
  count = var.paused ? 0 : 1

  # The first time from an image; after that from the latest pause.
  image_id           = local.latest == null ? "ubuntu_22_04_x64_20G_gpu_cuda12_alibase_20240101.vhd" : null
  source_snapshot_id = local.latest

  instance_name      = "gpu-box"
  instance_type      = "ecs.gn7i-c8g1.2xlarge"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
  system_disk        = { size = 60 }
  data_disks         = [{ size = 100 }] # empty the first time, then restored from the pause

  # Pausing destroys the machine: first a graceful stop, then a snapshot of
  # every disk, and the release only once the snapshot is accomplished.
  final_snapshot = {
    name       = "gpu-box-pause"
    stop_first = true
  }

  lifecycle {
    # A newer snapshot (taken by something else) never replaces a running
    # machine: the source is read only when the machine is created.
    ignore_changes = [image_id, source_snapshot_id]
  }
}

output "ssh" {
  value = var.paused ? "paused" : aliecs_instance.box[0].ssh_command
}
