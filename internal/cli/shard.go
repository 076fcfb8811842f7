package cli

import (
	"strconv"

	"github.com/descentlab/runner/internal/batch"
)

// The environment variables that schedulers give the tasks of an array.
const (
	slurmTaskID    = "SLURM_ARRAY_TASK_ID"
	slurmTaskMin   = "SLURM_ARRAY_TASK_MIN"
	slurmTaskCount = "SLURM_ARRAY_TASK_COUNT"
	slurmTaskStep  = "SLURM_ARRAY_TASK_STEP"
	slurmJobID     = "SLURM_JOB_ID"
	k8sIndex       = "JOB_COMPLETION_INDEX"
)

// shardFromEnv returns the shard that a scheduler's environment gives a
// task, for --shard auto: of a Slurm job array, task (ID - MIN)/STEP + 1
// of COUNT, whether the array is numbered from 0, from 1 or otherwise; of
// a Kubernetes Indexed Job, task JOB_COMPLETION_INDEX + 1 (it counts from
// 0) of shards, which --shards gives (the Job's completions). shards is 0
// if --shards is not given. env looks up an environment variable.
func shardFromEnv(env func(string) (string, bool), shards int) (batch.Shard, error) {
	if _, ok := env(slurmTaskID); ok {
		return slurmShard(env, shards)
	}
	if v, ok := env(k8sIndex); ok {
		index, err := envInt(k8sIndex, v)
		if err != nil {
			return batch.Shard{}, err
		}
		switch {
		case shards == 0:
			return batch.Shard{}, usagef("--shard auto: %s is %d, but how many shards there are is not known; give --shards N, the Job's completions", k8sIndex, index)
		case index < 0 || index >= shards:
			return batch.Shard{}, usagef("--shard auto: %s is %d, outside 0 to %d (--shards %d)", k8sIndex, index, shards-1, shards)
		}
		return batch.Shard{K: index + 1, N: shards}, nil
	}
	if _, ok := env(slurmJobID); ok {
		return batch.Shard{}, usagef("--shard auto: this Slurm job is not a job array (%s is not set); submit it with sbatch --array=1-N", slurmTaskID)
	}
	return batch.Shard{}, usagef("--shard auto: not a task of a job array: neither %s (Slurm) nor %s (Kubernetes) is set; give --shard K/N, or run in a Slurm job array or a Kubernetes Indexed Job", slurmTaskID, k8sIndex)
}

// slurmShard returns the shard of a task of a Slurm job array.
func slurmShard(env func(string) (string, bool), shards int) (batch.Shard, error) {
	var values [3]int
	for i, name := range []string{slurmTaskID, slurmTaskMin, slurmTaskCount} {
		v, ok := env(name)
		if !ok {
			return batch.Shard{}, usagef("--shard auto: %s is set but %s is not; is this Slurm older than 14.03?", slurmTaskID, name)
		}
		n, err := envInt(name, v)
		if err != nil {
			return batch.Shard{}, err
		}
		values[i] = n
	}
	id, low, count := values[0], values[1], values[2]
	step := 1
	if v, ok := env(slurmTaskStep); ok {
		n, err := envInt(slurmTaskStep, v)
		if err != nil {
			return batch.Shard{}, err
		}
		step = max(n, 1)
	}
	k := (id-low)/step + 1
	switch {
	case count < 1 || id < low || (id-low)%step != 0 || k > count:
		return batch.Shard{}, usagef("--shard auto: %s=%d does not fit %s=%d, %s=%d and %s=%d", slurmTaskID, id, slurmTaskMin, low, slurmTaskCount, count, slurmTaskStep, step)
	case shards != 0 && shards != count:
		return batch.Shard{}, usagef("--shard auto: --shards %d, but the job array has %d tasks (%s); leave --shards out for Slurm", shards, count, slurmTaskCount)
	}
	return batch.Shard{K: k, N: count}, nil
}

// envInt parses a whole number from an environment variable.
func envInt(name, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, usagef("--shard auto: %s=%q is not a whole number", name, v)
	}
	return n, nil
}

// resolveShard settles --shard: auto from the environment, and --shards
// only with auto.
func resolveShard(s *shardFlag, shards int, env func(string) (string, bool)) error {
	switch {
	case shards < 0:
		return usagef("-shards: must be at least 1, got %d", shards)
	case shards > 0 && !s.auto:
		return usagef("-shards goes with --shard auto, for a Kubernetes Indexed Job; with --shard K/N, N is the number of shards")
	case !s.auto:
		return nil
	}
	shard, err := shardFromEnv(env, shards)
	if err != nil {
		return err
	}
	s.Shard = shard
	return nil
}
