#!/usr/bin/env bash
# make bench: the end-to-end benchmark (terraform + provider + emulator), then
# the Go benchmarks of the hot paths. BENCH_N="1,10,100,500" adds N=500.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./cmd/aliecs-bench -n "${BENCH_N:-1,10,100}" -out "${BENCH_OUT:-bench-results.md}" "$@"
go test -run '^$' -bench . -benchmem ./internal/...
