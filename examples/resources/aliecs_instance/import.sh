# An instance is imported by its id.
terraform import aliecs_instance.web i-bp67acfmxazb4ph1234
