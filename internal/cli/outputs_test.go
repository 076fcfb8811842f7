package cli

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/results"
)

// TestEveryFileIsDocumented runs experiments of one run and of many, with
// published values and every picture, and checks that each file written
// is one that runner help outputs documents, and each file documented was
// written.
func TestEveryFileIsDocumented(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results")
	mainIn(t, ExitOK, "run", "-o", out, "../../experiments")
	documented := map[string]bool{}
	for _, f := range results.Files {
		documented[f.Path] = false
	}
	err := fs.WalkDir(os.DirFS(out), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		doc := p // a file at the top
		switch dir, name := path.Split(p); {
		case strings.HasPrefix(p, results.PrivateDir+"/"):
			doc = results.PrivateDir + "/"
		case dir == "":
		case strings.Count(dir, "/") == 1 && slices.Contains([]string{results.ManifestFile, results.RecordsFile, results.SummaryFile, results.SweepFile, results.CurvesFile, results.GridFile, results.SearchFile, results.RangeFile, results.RangePictureFile}, name):
			doc = "<experiment>/" + name
		default:
			doc = "<run>/" + name
		}
		if _, ok := documented[doc]; !ok {
			t.Errorf("%s is written (%s) but not documented", p, doc)
		}
		documented[doc] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for doc, seen := range documented {
		if !seen {
			t.Errorf("%s is documented but not written", doc)
		}
	}
}
