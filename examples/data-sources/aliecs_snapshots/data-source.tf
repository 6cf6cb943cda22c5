terraform {
  required_providers {
    aliecs = { source = "aliecs/aliecs" }
  }
}

# The accomplished snapshots of an instance, including one that has been
# released since, e.g. to find its final snapshot.
data "aliecs_snapshots" "gpu_job" {
  instance_id = "i-bp1f2e3d4c5b6a7a8b9c"
  status      = "accomplished"
  name_regex  = "^gpu-job-"
}

output "latest_snapshot_group" {
  value = try(data.aliecs_snapshots.gpu_job.ids[length(data.aliecs_snapshots.gpu_job.ids) - 1], null)
}

output "latest_system_disk_snapshot" {
  value = try([
    for s in data.aliecs_snapshots.gpu_job.groups[length(data.aliecs_snapshots.gpu_job.groups) - 1].snapshots :
    s.snapshot_id if s.disk_type == "system"
  ][0], null)
}

# The automatic snapshots of a policy (aliecs_snapshot_policy), by its name,
# and the newest one of a system disk, to resume a machine from.
data "aliecs_snapshots" "checkpoints" {
  policy_name = "training-checkpoints"
}

output "latest_checkpoint" {
  value = data.aliecs_snapshots.checkpoints.latest_system_snapshot_id
}
