# The quick start: one ECS instance on the catalog of the bundled emulator
# (`make demo` runs it with no cloud account). The provider reads its region,
# endpoint and credentials from the environment (ALIBABA_CLOUD_REGION_ID,
# ALIBABA_CLOUD_ENDPOINT_ECS, ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET).
#
# Against the real cloud, pass your own vSwitch and security group ids:
#   terraform apply -var vswitch_id=vsw-... -var security_group_id=sg-...

terraform {
  required_version = ">= 1.11"
  required_providers {
    aliecs = {
      source = "aliecs/aliecs"
    }
  }
}

provider "aliecs" {}

variable "vswitch_id" {
  description = "vSwitch for the instance (default: the emulator's cn-hangzhou-h vSwitch)."
  type        = string
  default     = "vsw-bp1ybfpozawwsfamc57q"
}

variable "security_group_id" {
  description = "Security group for the instance (default: the emulator's cn-hangzhou \"default\" group)."
  type        = string
  default     = "sg-bp1qp2oi3e696ugzabhe"
}

variable "image_id" {
  description = "Image to boot."
  type        = string
  default     = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
}

variable "instance_type" {
  description = "Instance type (2 vCPU, 8 GiB)."
  type        = string
  default     = "ecs.g7.large"
}

resource "aliecs_instance" "demo" {
  instance_name              = "quickstart-demo"
  description                = "Created by the aliecs quick start"
  image_id                   = var.image_id
  instance_type              = var.instance_type
  vswitch_id                 = var.vswitch_id
  security_group_ids         = [var.security_group_id]
  internet_max_bandwidth_out = 10

  system_disk = {
    category = "cloud_essd"
    size     = 40
  }

  tags = {
    purpose = "quickstart"
  }
}

output "id" {
  description = "The instance id."
  value       = aliecs_instance.demo.id
}

output "status" {
  description = "Running or Stopped."
  value       = aliecs_instance.demo.status
}

output "private_ip" {
  description = "Private address in the vSwitch."
  value       = aliecs_instance.demo.private_ip
}

output "ssh_command" {
  description = "How to log in."
  value       = aliecs_instance.demo.ssh_command
}

output "cpu" {
  description = "vCPUs."
  value       = aliecs_instance.demo.cpu
}

output "memory" {
  description = "Memory in MiB."
  value       = aliecs_instance.demo.memory
}

# Release the machine automatically, so a forgotten demo does not run up a bill.
# The window (30 minutes to 3 years ahead) is checked when `terraform plan` runs.
variable "release_after" {
  description = "How long the instance may live before ECS releases it."
  type        = string
  default     = "2h"
}

resource "aliecs_auto_release_schedule" "demo" {
  instance_id   = aliecs_instance.demo.id
  release_after = var.release_after
}

output "release_at" {
  description = "When ECS will release the instance (as the service applies it)."
  value       = aliecs_auto_release_schedule.demo.effective_release_time
}

# Second step of the demo: save the disks, and release the machine once, and
# only once, the snapshot is complete. Enable with -var snapshot_and_release=true.
# Afterwards aliecs_instance.demo stays in state with status "Released" (and its
# schedule unchanged), so the next plan is empty; `terraform destroy` deletes the
# snapshot group too (`terraform state rm aliecs_snapshot.final[0]` first keeps it).
variable "snapshot_and_release" {
  description = "Snapshot the instance's disks, then release the instance."
  type        = bool
  default     = false
}

resource "aliecs_snapshot" "final" {
  count = var.snapshot_and_release ? 1 : 0

  instance_id                     = aliecs_instance.demo.id
  name                            = "quickstart-final"
  description                     = "Disks of the quick start instance, saved before release"
  retention_days                  = 7
  release_instance_after_snapshot = true
}

output "snapshot" {
  description = "The saved snapshot group, once the second step ran."
  value = var.snapshot_and_release ? {
    id                = aliecs_snapshot.final[0].id
    status            = aliecs_snapshot.final[0].status
    instance_released = aliecs_snapshot.final[0].instance_released
    snapshots         = aliecs_snapshot.final[0].snapshots
  } : null
}
