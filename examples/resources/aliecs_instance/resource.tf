resource "aliecs_instance" "web" {
  instance_name      = "web-1"
  description        = "Web server"
  host_name          = "web-1"
  image_id           = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type      = "ecs.g7.large"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]

  system_disk = {
    category = "cloud_essd"
    size     = 40
  }
  data_disks = [
    { size = 100, name = "data", encrypted = true }, # name, description, performance_level change in place
    { size = 200, category = "cloud_auto", delete_with_instance = false },
  ]
  internet_max_bandwidth_out = 10

  # Write-only (Terraform or OpenTofu >= 1.11): never stored in the plan or the state.
  # Bump password_wo_version to send a new password.
  password_wo         = var.root_password
  password_wo_version = 1

  deletion_protection = false
  status              = "Running" # "Stopped" stops it, "Running" starts it again
  stopped_mode        = "StopCharging"

  # On destroy: snapshot every disk first, release only once the snapshot is saved.
  final_snapshot = {
    name           = "web-1-final"
    retention_days = 30
  }

  tags = {
    env  = "dev"
    team = "web"
  }

  timeouts = {
    create = "10m"
    delete = "30m"
  }
}

variable "root_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

output "ssh" {
  value = aliecs_instance.web.ssh_command
}
