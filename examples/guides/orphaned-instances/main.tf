# Machines this configuration manages.
variable "machines" {
  type    = number
  default = 2
}

resource "aliecs_instance" "vm" {
  count              = var.machines
  image_id           = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type      = "ecs.g7.large"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
  tags               = { team = "ml" }
}

# Every machine the provider made in this region: they all carry its
# ownership tag (hidden from the resources' tags, shown here).
data "aliecs_instances" "made_by_terraform" {
  tags = {
    "aliecs:managed-by" = "terraform-provider-aliecs"
  }
  depends_on = [aliecs_instance.vm]
}

# Made by the provider, but not in this state: orphans, or machines of
# another configuration (check those states too).
output "not_in_this_state" {
  value = setsubtract(data.aliecs_instances.made_by_terraform.ids, aliecs_instance.vm[*].id)
}

output "made_by_terraform" {
  value = {
    for i in data.aliecs_instances.made_by_terraform.instances :
    i.id => "${i.name}, ${i.status}, created ${i.creation_time}"
  }
}
