# An existing schedule is imported by the id of its instance; its time is read
# into release_time (yyyy-MM-ddTHH:mm:00Z).
import {
  to = aliecs_auto_release_schedule.demo_box
  id = "i-bp67acfmxazb4ph1234"
}
