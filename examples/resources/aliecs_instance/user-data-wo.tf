# A cloud-init script that carries a secret: user_data_wo (Terraform >= 1.11)
# sends it when the instance is created and never stores it in the plan or
# the state, so it may use an ephemeral variable.
resource "aliecs_instance" "worker" {
  image_id           = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type      = "ecs.g7.large"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]

  user_data_wo = <<-EOT
    #!/bin/sh
    echo '${var.registry_token}' > /etc/registry-token
    chmod 600 /etc/registry-token
  EOT
  # Terraform cannot see a write-only value change: bump the version to apply
  # a new script (a different script replaces the instance; the same one,
  # moved from user_data or sent again, does not).
  user_data_wo_version = 1
}

variable "registry_token" {
  type      = string
  sensitive = true
  ephemeral = true
}
