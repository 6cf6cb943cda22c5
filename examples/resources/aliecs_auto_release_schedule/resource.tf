# A GPU machine rented for a two-week job: ECS releases it 14 days after the
# schedule is applied. The release time is computed once, when the schedule
# is created (or when release_after changes), not on every plan.
resource "aliecs_instance" "gpu" {
  image_id           = "ubuntu_22_04_x64_20G_gpu_cuda12_alibase_20240101.vhd"
  instance_type      = "ecs.gn7i-c8g1.2xlarge"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
  instance_name      = "gpu-training"
}

resource "aliecs_auto_release_schedule" "gpu" {
  instance_id   = aliecs_instance.gpu.id
  release_after = "14d"
}

# A fixed date for a machine managed elsewhere (the console, a script, another
# configuration). The time is UTC with a Z; ECS accepts 30 minutes to 3 years
# ahead, and terraform plan checks it when the value is set or changed.
resource "aliecs_auto_release_schedule" "demo_box" {
  instance_id  = "i-bp67acfmxazb4ph1234"
  release_time = "2027-01-30T00:00:00Z"
}

output "gpu_release_time" {
  value = aliecs_auto_release_schedule.gpu.effective_release_time
}
