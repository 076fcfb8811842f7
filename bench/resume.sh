#!/usr/bin/env bash
# Measures a resume after kill -9 (the figure of BENCHMARKS.md): the
# 20,000-run sweep of bench/sweep20k.yaml run whole into a fresh folder;
# then run again into another, killed with SIGKILL once half its runs are
# journaled, and resumed; and checks that the resumed folder holds the
# same bytes as the whole one. Prints the seconds of each and the ratio.
#
#   bash bench/resume.sh [RUNNER [OUT_DIR]]   # default: go build; /tmp
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [ -z "$bin" ]; then
	bin=$(mktemp -d)/runner
	go build -o "$bin" ./cmd/runner
fi
where=${2:-/tmp}
whole="$where/runner-resume-whole" killed="$where/runner-resume-killed"
rm -rf "$whole" "$killed"

now() { date +%s%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
start=$(now)
"$bin" run ${RUNNER_FLAGS:-} -o "$whole" bench/sweep20k.yaml >/dev/null
full=$(seconds "$start" "$(now)")

"$bin" run ${RUNNER_FLAGS:-} -o "$killed" bench/sweep20k.yaml >/dev/null &
pid=$!
journaled() { cat "$killed"/.runner/journal/sweep20k/*.csv 2>/dev/null | grep -vc '^#\|^run,' || true; }
while [ "$(journaled)" -lt 10000 ]; do
	kill -0 "$pid" 2>/dev/null || { echo "the run ended before half its runs were journaled"; exit 1; }
	sleep 0.05
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
done_runs=$(journaled)

start=$(now)
"$bin" run ${RUNNER_FLAGS:-} -o "$killed" bench/sweep20k.yaml >/dev/null
resume=$(seconds "$start" "$(now)")

diff -r -x .runner "$whole" "$killed" >/dev/null || { echo "the resumed folder differs from the whole run's"; exit 1; }
awk -v f="$full" -v d="$done_runs" -v r="$resume" 'BEGIN {
	printf "whole run %.2f s; killed after %d of 20,000 runs journaled; resume %.2f s: %.2f of the whole run; same bytes\n", f, d, r, r / f }'
rm -rf "$whole" "$killed"
