#!/usr/bin/env bash
# The quick start: builds the provider and the ECS emulator, starts the
# emulator on loopback, puts the provider build in a filesystem mirror (the
# layout `terraform providers mirror` writes) and installs it from there with
# `terraform init`, as a user or a CI without network installs a release, and
# runs plan, apply, a look at the outputs, and destroy of examples/quickstart.
# Leaves nothing running.
# TF names the CLI: terraform (the default) or OpenTofu, e.g.
# `make demo TF=.tools/tofu-v1.12.6/tofu`; both read the same CLI config.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

tf=${TF:-terraform}
command -v "$tf" >/dev/null || { echo "$tf (terraform or tofu >= 1.11) was not found" >&2; exit 1; }
tf=$(command -v "$tf")
case "$tf" in /*) ;; *) tf="$repo/$tf" ;; esac
tf_name=$(basename "$tf")

work=$(mktemp -d "${TMPDIR:-/tmp}/aliecs-demo.XXXXXX")
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Building the provider and the emulator"
# The provider as a release names it, in the unpacked mirror layout:
# <mirror>/<registry host>/aliecs/aliecs/<version>/<os>_<arch>/terraform-provider-aliecs_v<version>
version=0.0.1
host=registry.terraform.io
case "$tf_name" in tofu*) host=registry.opentofu.org ;; esac # "aliecs/aliecs" means the CLI's own registry
platform="$(go env GOOS)_$(go env GOARCH)"
mkdir -p "$work/mirror/$host/aliecs/aliecs/$version/$platform"
go build -ldflags "-X main.version=$version" \
  -o "$work/mirror/$host/aliecs/aliecs/$version/$platform/terraform-provider-aliecs_v$version" .
go build -o "$work/bin/ecs-emulator" ./cmd/ecs-emulator

step "Starting the ECS emulator on loopback"
# Realistic but short transition times, so the waits are visible.
"$work/bin/ecs-emulator" --listen 127.0.0.1:0 --boot-time 3s --stop-time 2s --snapshot-time 3s \
  >"$work/emulator.log" 2>&1 &
emulator_pid=$!
endpoint=""
for _ in $(seq 1 100); do
  endpoint=$(sed -n 's/^ecs-emulator listening on \(http:\/\/[^ ]*\).*/\1/p' "$work/emulator.log" | head -n 1)
  [ -n "$endpoint" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$endpoint" ] || { echo "the emulator did not start:" >&2; cat "$work/emulator.log" >&2; exit 1; }
echo "emulator: $endpoint"

cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["$host/aliecs/aliecs"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc"
tf_version=$("$tf" version)
echo "CLI: ${tf_version%%$'\n'*}"
export TF_IN_AUTOMATION=1
export ALIBABA_CLOUD_ENDPOINT_ECS="$endpoint"
export ALIBABA_CLOUD_REGION_ID=cn-hangzhou
export ALIBABA_CLOUD_ACCESS_KEY_ID=emulator
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator-secret

cp -r examples/quickstart "$work/quickstart"
cd "$work/quickstart"

step "$tf_name init: installs aliecs/aliecs $version from the mirror"
"$tf" init -input=false

step "$tf_name plan"
"$tf" plan -input=false -out=demo.tfplan

step "$tf_name apply"
"$tf" apply -input=false demo.tfplan

step "Outputs"
"$tf" output

step "A second plan: nothing to change"
rc=0
"$tf" plan -input=false -detailed-exitcode || rc=$?
if [ "$rc" -ne 0 ]; then echo "unexpected: the plan after apply is not empty (exit $rc)" >&2; exit 1; fi
echo "No changes: the plan is empty."

step "Snapshot the disks, then release the machine once the snapshot is saved"
"$tf" apply -input=false -auto-approve -var snapshot_and_release=true
"$tf" output snapshot
echo "The instance was released by aliecs_snapshot only after its snapshot group was accomplished."

step "Refresh: the released instance stays in state with status Released"
# Only the output "status" changes (Running -> Released); no resource changes.
"$tf" apply -input=false -auto-approve -refresh-only -var snapshot_and_release=true
echo "aliecs_instance.demo status: $("$tf" output -raw status)"

step "A plan after the release: nothing to change"
rc=0
"$tf" plan -input=false -detailed-exitcode -var snapshot_and_release=true || rc=$?
if [ "$rc" -ne 0 ]; then echo "unexpected: the plan after the release is not empty (exit $rc)" >&2; exit 1; fi
echo "No changes: the plan is empty (no new instance, the snapshot and the schedule are kept)."

step "$tf_name destroy (the released instance needs no call; the snapshot group in this configuration is deleted)"
"$tf" destroy -input=false -auto-approve -var snapshot_and_release=true

step "Done"
echo "Every instance the demo created was released. The snapshot group was deleted with the rest, since it is part of this"
echo "configuration: to keep it, run '$tf_name state rm' on the aliecs_snapshot before destroying. The emulator is stopped on exit."
cd "$repo"
