# Moving from alicloud_instance: the two configurations of the official
# provider (alicloud_instance.web, alicloud_instance.gpu and the snapshot
# group alicloud_ecs_snapshot_group.g), rewritten for aliecs. The moved
# blocks keep every machine; the import block brings web's automatic
# release time under its own resource. The first apply changes nothing.

terraform {
  required_version = ">= 1.8" # moved blocks across providers
  required_providers {
    aliecs = { source = "aliecs/aliecs" }
  }
}

provider "aliecs" {
  region = "cn-hangzhou"
}

moved {
  from = alicloud_instance.web
  to   = aliecs_instance.web
}

resource "aliecs_instance" "web" {
  instance_name      = "web-1"
  image_id           = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type      = "ecs.g7.large"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"] # was security_groups
  system_disk = {                                  # was system_disk_category, system_disk_size
    category = "cloud_essd"
    size     = 40
  }
  internet_max_bandwidth_out = 10
  host_name                  = "web-1"
  user_data_base64           = base64encode("#!/bin/bash\necho hi\n") # was user_data = base64encode(...)
  data_disks = [{                                                     # was data_disks { } blocks
    category = "cloud_essd"
    size     = 100
  }]
  tags = { team = "ml" }
}

# was auto_release_time on alicloud_instance.web
import {
  to = aliecs_auto_release_schedule.web
  id = "i-bp1zkm7clfr3nfzol027" # the instance id
}

resource "aliecs_auto_release_schedule" "web" {
  instance_id  = aliecs_instance.web.id
  release_time = "2026-12-08T04:11:00Z"
}

moved {
  from = alicloud_instance.gpu
  to   = aliecs_instance.gpu
}

resource "aliecs_instance" "gpu" {
  instance_name      = "trainer"
  image_id           = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type      = "ecs.gn7i-c8g1.2xlarge"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
  spot_strategy      = "SpotAsPriceGo"
  key_pair_name      = "deploy-key" # was key_name
  system_disk = {
    category = "cloud_essd"
    size     = 80
    name     = "root" # was system_disk_name
  }
  user_data = "#!/bin/bash\necho plain\n" # plain text stays in user_data
  data_disks = [{
    category             = "cloud_essd"
    size                 = 200
    delete_with_instance = false
    name                 = "datasets"
  }]
  tags                 = { team = "ml", purpose = "training" }
  internet_charge_type = "PayByTraffic" # the default; instance_charge_type = "PostPaid" goes (the only billing)
}

moved {
  from = alicloud_ecs_snapshot_group.g
  to   = aliecs_snapshot.g
}

resource "aliecs_snapshot" "g" {
  instance_id = aliecs_instance.gpu.id
  name        = "trainer-checkpoint" # was snapshot_group_name
  description = "before upgrade"
  tags        = { team = "ml" }
}
