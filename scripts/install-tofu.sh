#!/usr/bin/env bash
# Installs the pinned OpenTofu CLI at $1 (e.g. .tools/tofu-v1.12.6/tofu).
# `go install github.com/opentofu/opentofu/cmd/tofu@VERSION` is refused because
# OpenTofu's go.mod has a replace directive, so this builds it from the module
# source instead. version.dev=no is what OpenTofu's release builds set: without
# it the binary calls itself a prerelease ("v1.12.6-dev").
# Idempotent: a binary that already reports the release version is kept.
set -euo pipefail

out=${1:?usage: install-tofu.sh <output binary> [version]}
version=${2:-v1.12.6}
GO=${GO:-go}

# `tofu version` prints "OpenTofu v1.12.6" (a build without the flag below:
# "v1.12.6-dev"), after any warning about the CLI configuration.
# (Output captured first: with pipefail, grep -q closing the pipe early would
# fail the check.)
reports_version() {
  local v
  [ -x "$1" ] && v=$(env -u TF_CLI_CONFIG_FILE "$1" version 2>/dev/null) && grep -qx "OpenTofu ${version}" <<<"$v"
}

if reports_version "$out"; then
  exit 0
fi

# The module cache is read-only but `go build -o` elsewhere works in it; the
# build resolves OpenTofu's own go.mod/go.sum (and its replace), not ours.
dir=$(GOFLAGS=-mod=mod "$GO" mod download -json "github.com/opentofu/opentofu@${version}" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
  echo "install-tofu: could not download github.com/opentofu/opentofu@${version}" >&2
  exit 1
fi

mkdir -p "$(dirname "$out")"
out_abs="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
echo "install-tofu: building OpenTofu ${version} from ${dir} (a few minutes)"
(cd "$dir" && GOFLAGS=-mod=mod CGO_ENABLED=0 "$GO" build -trimpath \
  -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
  -o "$out_abs.tmp" ./cmd/tofu)
mv "$out_abs.tmp" "$out_abs"

if ! reports_version "$out_abs"; then
  echo "install-tofu: the built binary does not report OpenTofu ${version}:" >&2
  env -u TF_CLI_CONFIG_FILE "$out_abs" version >&2
  exit 1
fi
echo "install-tofu: OpenTofu ${version} is at ${out}"
