# Checkpoints of two machines every six hours, each kept three days. Every
# disk of the machines is snapshotted, whatever its category, and the
# snapshots of a machine released in the meantime are kept until their
# retention ends (the provider sets DeleteAutoSnapshot=false on its disks).
# The hours are read in UTC+8: 0, 6, 12 and 18 are 16:00, 22:00, 04:00 and
# 10:00 UTC.
resource "aliecs_snapshot_policy" "checkpoints" {
  name            = "training-checkpoints"
  time_points     = [0, 6, 12, 18]
  repeat_weekdays = [1, 2, 3, 4, 5, 6, 7]
  retention_days  = 3
  instance_ids    = ["i-bp67acfmxazb4ph1234", "i-bp1f2e3d4c5b6a7a8b9c"]

  tags = {
    team = "ml"
  }
}

# The policy's automatic snapshots, oldest first, and the newest one of a
# system disk: source_snapshot_id of a new aliecs_instance takes it.
data "aliecs_snapshots" "checkpoints" {
  policy_id = aliecs_snapshot_policy.checkpoints.id
}

output "latest_checkpoint" {
  value = data.aliecs_snapshots.checkpoints.latest_system_snapshot_id
}
