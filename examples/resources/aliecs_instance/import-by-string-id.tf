# An instance is imported by its id (an import block, Terraform 1.5 and later).
import {
  to = aliecs_instance.web
  id = "i-bp67acfmxazb4ph1234"
}
