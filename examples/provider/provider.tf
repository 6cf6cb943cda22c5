terraform {
  required_providers {
    aliecs = { source = "aliecs/aliecs" }
  }
}

# Credentials come from the environment (ALIBABA_CLOUD_ACCESS_KEY_ID,
# ALIBABA_CLOUD_ACCESS_KEY_SECRET), an aliyun CLI profile, or the sources
# below; see "Authentication".
provider "aliecs" {
  region = "cn-hangzhou"
}

# Keys of a CI user that may only assume a role: the role's keys, renewed
# before they expire, sign every ECS call.
provider "aliecs" {
  alias  = "deploy"
  region = "cn-hangzhou"
  assume_role {
    role_arn           = "acs:ram::1380000000000000:role/terraform-deployer"
    external_id        = "ci-7f3a"
    session_expiration = 3600
  }
}

# Terraform Cloud with workload identity: no stored key. The run's
# TFC_WORKLOAD_IDENTITY_TOKEN is exchanged for the role's keys.
provider "aliecs" {
  alias  = "tfc"
  region = "cn-hangzhou"
  assume_role_with_oidc {
    oidc_provider_arn = "acs:ram::1380000000000000:oidc-provider/terraform-cloud"
    role_arn          = "acs:ram::1380000000000000:role/terraform-cloud-ecs"
  }
}

# A self-hosted agent on an ECS machine with a RAM role attached.
provider "aliecs" {
  alias         = "agent"
  region        = "cn-hangzhou"
  ecs_role_name = "TerraformAgentRole"
}

# Against the bundled ECS emulator (go run ./cmd/ecs-emulator): no cloud account needed.
provider "aliecs" {
  alias        = "emulator"
  region       = "cn-hangzhou"
  endpoint     = "http://127.0.0.1:8085"
  sts_endpoint = "http://127.0.0.1:8085"
  access_key   = "emulator"
  secret_key   = "emulator-secret"
}
