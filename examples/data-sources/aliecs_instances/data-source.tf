terraform {
  required_providers {
    aliecs = { source = "aliecs/aliecs" }
  }
}

# Every running GPU box of the team, with its hardware and auto-release time.
data "aliecs_instances" "gpu" {
  name_regex = "^gpu-"
  status     = "Running"
  tags = {
    team = "ml"
  }
}

output "gpu_machines" {
  value = {
    for i in data.aliecs_instances.gpu.instances :
    i.id => "${i.gpu_amount} x ${i.gpu_spec}, releases at ${i.auto_release_time == "" ? "never" : i.auto_release_time}"
  }
}

output "ids" {
  value = data.aliecs_instances.gpu.ids
}

# What they cost, like the console's cost column (estimates: no traffic, no taxes).
output "gpu_cost" {
  value = {
    for i in data.aliecs_instances.gpu.instances :
    i.id => "${i.price_per_hour}/h, about ${i.estimated_cost_so_far} so far"
  }
}
