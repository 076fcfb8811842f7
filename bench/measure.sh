#!/usr/bin/env bash
# Measures the figures of BENCHMARKS.md on this machine, side by side in one
# session: the reference workload end to end (the floor, the runner on one
# and two workers, without pictures and with every run's, and the NumPy
# peer) on the disk and on tmpfs; a rerun with nothing changed and
# --check; a CPU-bound workload on one and two workers; a resume after
# kill -9 (bench/resume.sh); peak memory of a long run and of a sweep of a
# million runs; and the Go benchmarks. Needs hyperfine and python3-numpy
# (apt-get install hyperfine python3-numpy).
#
#   bash bench/measure.sh [OUT_DIR]   # OUT_DIR on the disk; default /tmp
set -euo pipefail
cd "$(dirname "$0")/.."
disk=${1:-/tmp}
bin=$(mktemp -d)
go build -o "$bin/runner" ./cmd/runner
go build -o "$bin/floor" ./bench/floor
runner="$bin/runner"

echo "== machine"
uname -srm; nproc; grep -m1 "model name" /proc/cpuinfo || true; go version; uptime

for where in "$disk" /dev/shm; do
	out="$where/runner-bench-out"
	echo "== reference workload, written to $where"
	hyperfine -N --warmup 1 --runs 10 --prepare "rm -rf $out" \
		"$bin/floor -o $out" \
		"$runner run -j 1 -o $out bench/workload.yaml" \
		"$runner run -j 2 -o $out bench/workload.yaml" \
		"$runner run -j 2 --no-plots -o $out bench/workload.yaml" \
		"$runner run -j 2 --all-plots -o $out bench/workload.yaml" \
		"/usr/bin/python3 bench/numpy_workload.py $out"
	echo "== a rerun with nothing changed, and --check, written to $where"
	rm -rf "$out"
	"$runner" run -o "$out" bench/workload.yaml >/dev/null
	"$runner" run -o "$out" bench/workload.yaml >/dev/null # the cache learns what the first run wrote
	stamps() { find "$out" -printf '%p %s %T@\n' | sort; }
	stamps >"$bin/before"
	hyperfine -N --warmup 1 --runs 10 \
		"$runner run -j 2 -o $out bench/workload.yaml" \
		"$runner run -j 2 --check -o $out bench/workload.yaml"
	stamps >"$bin/after"
	echo "files: $(find "$out" -type f | wc -l), bytes: $(du -sb "$out" | cut -f1), modified by the reruns: $(diff "$bin/before" "$bin/after" | grep -c '^>' || true)"
	echo "== resume after kill -9 at half of 20,000 runs, written to $where"
	for i in 1 2 3; do bash bench/resume.sh "$runner" "$where"; done
	rm -rf "$out"
done

echo "== CPU-bound workload (bench/cpubound.yaml), written to /dev/shm"
out=/dev/shm/runner-bench-cpu
hyperfine -N --warmup 1 --runs 10 --prepare "rm -rf $out" \
	"$runner run -j 1 -o $out bench/cpubound.yaml" \
	"$runner run -j 2 -o $out bench/cpubound.yaml"
rm -rf "$out"

echo "== peak memory (/usr/bin/time -v), written to /dev/shm"
for f in long sweep1m; do
	out=/dev/shm/runner-bench-$f
	rm -rf "$out"
	for pass in first rerun; do
		/usr/bin/time -v "$runner" run --max-trace-rows 2000000 -o "$out" "bench/$f.yaml" 2>&1 >/dev/null |
			grep -E "Elapsed|Maximum resident" | sed "s/^/$f, $pass: /"
	done
	rm -rf "$out"
done

echo "== Go benchmarks"
go test -run XXX -bench . -benchmem -count 5 ./pkg/engine
go test -run XXX -bench 'Runs|TraceRow' -benchmem -count 5 ./bench
TMPDIR="$disk" go test -run XXX -bench Sync -benchtime 20x -count 5 ./bench
go test -run XXX -bench . -benchmem -count 5 ./internal/plots ./internal/search
go test -run XXX -bench Ls -benchtime 20x -count 3 ./internal/cli
