#!/usr/bin/env bash
# Measures the figures of BENCHMARKS.md on this machine: the reference
# workload end to end (the floor, the runner on one and two workers, with
# and without pictures, a rerun with nothing changed, and the NumPy peer)
# on the disk and on tmpfs; peak memory of a long run, of a large sweep
# and its rerun; and the Go benchmarks. Needs hyperfine and python3-numpy
# (apt-get install hyperfine python3-numpy).
#
#   bash bench/measure.sh [OUT_DIR]   # OUT_DIR on the disk; default /tmp
set -euo pipefail
cd "$(dirname "$0")/.."
disk=${1:-/tmp}
bin=$(mktemp -d)
go build -o "$bin/runner" ./cmd/runner
go build -o "$bin/floor" ./bench/floor

echo "== machine"
uname -srm; nproc; grep -m1 "model name" /proc/cpuinfo || true; go version

for where in "$disk" /dev/shm; do
	out="$where/runner-bench-out"
	echo "== reference workload, written to $where"
	hyperfine -N --warmup 1 --runs 10 --prepare "rm -rf $out" \
		"$bin/floor -o $out" \
		"$bin/runner run -j 1 -o $out bench/workload.yaml" \
		"$bin/runner run -j 2 -o $out bench/workload.yaml" \
		"$bin/runner run --all-plots -j 2 -o $out bench/workload.yaml" \
		"/usr/bin/python3 bench/numpy_workload.py $out"
	echo "== rerun with nothing changed, written to $where"
	rm -rf "$out"
	"$bin/runner" run -o "$out" bench/workload.yaml >/dev/null
	hyperfine -N --warmup 1 --runs 10 "$bin/runner run -j 2 -o $out bench/workload.yaml"
	echo "files: $(find "$out" -type f | wc -l), bytes: $(du -sb "$out" | cut -f1)"
	rm -rf "$out"
done

echo "== peak memory (/usr/bin/time -v), written to /dev/shm"
for f in long sweep100k; do
	out=/dev/shm/runner-bench-$f
	rm -rf "$out"
	for pass in first rerun; do
		/usr/bin/time -v "$bin/runner" run --max-trace-rows 2000000 -o "$out" "bench/$f.yaml" 2>&1 >/dev/null |
			grep -E "Elapsed|Maximum resident" | sed "s/^/$f, $pass: /"
	done
	rm -rf "$out"
done

echo "== Go benchmarks"
go test -run XXX -bench . -benchmem -count 5 ./pkg/engine
go test -run XXX -bench 'Runs|TraceRow' -benchmem -count 5 ./bench
go test -run XXX -bench . -benchmem -count 5 ./internal/plots
