# A snapshot group is imported by its id.
import {
  to = aliecs_snapshot.nightly
  id = "ssg-bp67acfmxazb4ph1234"
}
