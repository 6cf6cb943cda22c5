# A consistent snapshot of every disk of an instance: stop it, snapshot it,
# start it again.
resource "aliecs_snapshot" "nightly" {
  instance_id          = "i-bp67acfmxazb4ph1234"
  name                 = "web-nightly"
  description          = "Nightly copy of the web server"
  retention_days       = 14
  stop_before_snapshot = true

  tags = {
    team = "platform"
  }
}

# Save a machine that is managed elsewhere (another configuration, the
# console, a script), then release it. The machine is released only once
# the snapshot is accomplished; if the snapshot fails, nothing is released.
# The snapshot is then the only copy of the machine: keep_on_destroy keeps
# it even when this configuration is destroyed.
resource "aliecs_snapshot" "final" {
  instance_id                     = "i-bp1f2e3d4c5b6a7a8b9c"
  name                            = "gpu-job-final"
  release_instance_after_snapshot = true
  keep_on_destroy                 = true

  timeouts = {
    create = "2h"
  }
}

output "final_snapshot_ids" {
  value = aliecs_snapshot.final.snapshots[*].snapshot_id
}
