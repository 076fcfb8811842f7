package cli

import (
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/batch"
)

// TestShardFromEnv gives --shard auto the environments of schedulers' array
// tasks, and of none.
func TestShardFromEnv(t *testing.T) {
	for _, tt := range []struct {
		name   string
		env    map[string]string
		shards int
		want   batch.Shard
		err    string
	}{
		{name: "slurm array from 1", env: map[string]string{slurmJobID: "7", slurmTaskID: "3", slurmTaskMin: "1", slurmTaskCount: "3"}, want: batch.Shard{K: 3, N: 3}},
		{name: "slurm array from 0", env: map[string]string{slurmTaskID: "0", slurmTaskMin: "0", slurmTaskCount: "16"}, want: batch.Shard{K: 1, N: 16}},
		{name: "slurm array from 5 by 2", env: map[string]string{slurmTaskID: "9", slurmTaskMin: "5", slurmTaskCount: "4", slurmTaskStep: "2"}, want: batch.Shard{K: 3, N: 4}},
		{name: "kubernetes", env: map[string]string{k8sIndex: "0"}, shards: 16, want: batch.Shard{K: 1, N: 16}},
		{name: "kubernetes last", env: map[string]string{k8sIndex: "15"}, shards: 16, want: batch.Shard{K: 16, N: 16}},
		{name: "no scheduler", env: map[string]string{}, err: "--shard auto: not a task of a job array: neither SLURM_ARRAY_TASK_ID (Slurm) nor JOB_COMPLETION_INDEX (Kubernetes) is set"},
		{name: "slurm, not an array", env: map[string]string{slurmJobID: "7"}, err: "this Slurm job is not a job array (SLURM_ARRAY_TASK_ID is not set)"},
		{name: "slurm without a count", env: map[string]string{slurmTaskID: "1", slurmTaskMin: "1"}, err: "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not"},
		{name: "slurm, not a number", env: map[string]string{slurmTaskID: "x", slurmTaskMin: "1", slurmTaskCount: "2"}, err: `SLURM_ARRAY_TASK_ID="x" is not a whole number`},
		{name: "slurm, out of the array", env: map[string]string{slurmTaskID: "5", slurmTaskMin: "1", slurmTaskCount: "3"}, err: "SLURM_ARRAY_TASK_ID=5 does not fit SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_COUNT=3"},
		{name: "slurm with other shards", env: map[string]string{slurmTaskID: "1", slurmTaskMin: "1", slurmTaskCount: "3"}, shards: 4, err: "--shards 4, but the job array has 3 tasks"},
		{name: "kubernetes without shards", env: map[string]string{k8sIndex: "3"}, err: "JOB_COMPLETION_INDEX is 3, but how many shards there are is not known; give --shards N"},
		{name: "kubernetes out of range", env: map[string]string{k8sIndex: "16"}, shards: 16, err: "JOB_COMPLETION_INDEX is 16, outside 0 to 15 (--shards 16)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := func(name string) (string, bool) { v, ok := tt.env[name]; return v, ok }
			got, err := shardFromEnv(env, tt.shards)
			switch {
			case tt.err == "" && (err != nil || got != tt.want):
				t.Errorf("shard %v, %v; want %v", got, err, tt.want)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("error %v; want one saying %q", err, tt.err)
			}
		})
	}
}

// TestShardsFlag checks --shards: only with auto, and positive.
func TestShardsFlag(t *testing.T) {
	none := func(string) (string, bool) { return "", false }
	if err := resolveShard(&shardFlag{Shard: batch.Shard{K: 1, N: 2}}, 3, none); err == nil || !strings.Contains(err.Error(), "-shards goes with --shard auto") {
		t.Errorf("--shard 1/2 --shards 3: %v", err)
	}
	if err := resolveShard(&shardFlag{auto: true}, -1, none); err == nil || !strings.Contains(err.Error(), "-shards: must be at least 1") {
		t.Errorf("--shards -1: %v", err)
	}
	s := &shardFlag{auto: true}
	if err := resolveShard(s, 4, func(name string) (string, bool) { return "2", name == k8sIndex }); err != nil || s.Shard != (batch.Shard{K: 3, N: 4}) {
		t.Errorf("--shard auto --shards 4 at index 2: %v, %v", s.Shard, err)
	}
}
