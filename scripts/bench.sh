#!/usr/bin/env bash
# make bench: the end-to-end benchmark (terraform + provider + emulator), then
# the Go benchmarks of the hot paths. BENCH_N="1,10,100,500" adds N=500 to the
# first table (terraform's default parallelism). The second table is the
# users' own -parallelism=100 at N=100 and 500; BENCH_BIG=1 adds N=1000
# (about 10 minutes more on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./cmd/aliecs-bench -n "${BENCH_N:-1,10,100}" -out "${BENCH_OUT:-bench-results.md}" "$@"
sizes="100,500"
if [ "${BENCH_BIG:-}" = 1 ]; then
	sizes="$sizes,1000"
fi
go run ./cmd/aliecs-bench -n "$sizes" -parallelism 100 -unbatched=false -types=false -throttle-n 0 \
	-out "${BENCH_OUT_P100:-bench-results-p100.md}"
go test -run '^$' -bench . -benchmem ./internal/...
