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
