package cli

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/results"
)

// underFolder returns the identifier of a run that name gives as a path
// under the results folder out (results/lr/alpha=0.11 for lr/alpha=0.11)
// if no such path exists, for the runs nearest to it to be suggested;
// otherwise name itself.
func underFolder(name, out string) string {
	if _, err := os.Lstat(name); err == nil {
		return name
	}
	rel, err := filepath.Rel(out, name)
	if err != nil || !filepath.IsLocal(rel) || !strings.HasPrefix(filepath.Clean(name), filepath.Clean(out)+string(filepath.Separator)) {
		return name
	}
	return filepath.ToSlash(rel)
}

// suggestRuns replaces the suggestions of an error that names no run of an
// experiment under out with the runs whose values are nearest to those
// the name gives (lr/alpha=0.1 for lr/alpha=0.11, rather than every
// identifier a few letters away), where it can tell them.
func suggestRuns(err error, out string) error {
	var nf *results.NotFoundError
	if !errors.As(err, &nf) {
		return err
	}
	experiment, _, ok := strings.Cut(filepath.ToSlash(nf.Name), "/")
	if !ok {
		return err
	}
	fsys, closeFS, openErr := results.OpenFS(out)
	if openErr != nil {
		return err
	}
	defer closeFS()
	m, readErr := results.ReadManifest(fsys, experiment)
	if readErr != nil {
		return err
	}
	ids, readErr := results.RunIDs(fsys, m)
	if readErr != nil {
		return err
	}
	if near := nearestRuns(filepath.ToSlash(nf.Name), ids); len(near) > 0 {
		nf.Suggest = near
	}
	return err
}

// maxSuggested is the most runs a suggestion names.
const maxSuggested = 3

// nearestRuns returns the runs among ids whose values are nearest to
// those of id: runs of the same experiment setting the same keys, in the
// same order, id's values being numbers. Nearness is the sum, over the
// keys, of the differences relative to the larger value; the runs tied
// nearest are returned, at most maxSuggested of them. It returns nil if
// id is not such a run.
func nearestRuns(id string, ids []string) []string {
	want, ok := runValues(id)
	if !ok {
		return nil
	}
	var near []string
	best := math.Inf(1)
	for _, other := range ids {
		values, ok := runValues(other)
		if !ok || !sameKeys(values, want) {
			continue
		}
		d := 0.0
		for i := range values {
			d += relativeDifference(values[i].value, want[i].value)
		}
		switch {
		case d < best:
			near, best = []string{other}, d
		case d == best && len(near) < maxSuggested:
			near = append(near, other)
		}
	}
	return near
}

// keyValue is a folder of a run's identifier: a key and its value.
type keyValue struct {
	key   string
	value float64
}

// runValues reads the experiment and the values a run's identifier gives:
// lr/alpha=0.1/b3_initial=0 gives lr, alpha 0.1 and b3_initial 0. The
// first element of the result is the experiment, its value 0.
func runValues(id string) ([]keyValue, bool) {
	parts := strings.Split(id, "/")
	values := []keyValue{{key: parts[0]}}
	if len(parts) < 2 {
		return nil, false
	}
	for _, part := range parts[1:] {
		key, text, ok := strings.Cut(part, "=")
		v, err := strconv.ParseFloat(text, 64)
		if !ok || err != nil || math.IsNaN(v) {
			return nil, false
		}
		values = append(values, keyValue{key, v})
	}
	return values, true
}

// sameKeys reports whether two runs' identifiers name the same
// experiment and keys, in order.
func sameKeys(a, b []keyValue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].key != b[i].key {
			return false
		}
	}
	return true
}

// relativeDifference is |a − b| relative to the larger of |a| and |b|:
// 0 for equal values, at most 2.
func relativeDifference(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Max(math.Abs(a), math.Abs(b))
}
