# An automatic snapshot policy is imported by its id; instance_ids is read
# from the disks it is applied to.
import {
  to = aliecs_snapshot_policy.checkpoints
  id = "sp-bp14yziiuvu3s6jn1234"
}
