# An automatic snapshot policy is imported by its id; instance_ids is read
# from the disks it is applied to.
terraform import aliecs_snapshot_policy.checkpoints sp-bp14yziiuvu3s6jn1234
