# An existing schedule is imported by the id of its instance. The schedule's
# time is read into release_time (yyyy-MM-ddTHH:mm:00Z).
terraform import aliecs_auto_release_schedule.demo_box i-bp67acfmxazb4ph1234
