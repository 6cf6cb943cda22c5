# A snapshot group is imported by its id.
terraform import aliecs_snapshot.nightly ssg-bp67acfmxazb4ph1234
