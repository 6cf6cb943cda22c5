# Credentials come from the environment (ALIBABA_CLOUD_ACCESS_KEY_ID,
# ALIBABA_CLOUD_ACCESS_KEY_SECRET) or an aliyun CLI profile.
provider "aliecs" {
  region = "cn-hangzhou"
}

# Against the bundled ECS emulator (go run ./cmd/ecs-emulator): no cloud account needed.
provider "aliecs" {
  alias      = "emulator"
  region     = "cn-hangzhou"
  endpoint   = "http://127.0.0.1:8085"
  access_key = "emulator"
  secret_key = "emulator-secret"
}
