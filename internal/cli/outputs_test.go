package cli

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
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
	mainIn(t, ExitOK, "run", "-o", out, "../../experiments/article.yaml", "../../experiments/learning-rates.yaml")
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
		case name == results.ManifestFile || name == results.SweepFile || (name == results.SummaryFile && strings.Count(dir, "/") == 1):
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
