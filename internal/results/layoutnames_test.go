package results

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// namedElsewhere are the string literals outside this package that may
// name a file of the layout, each for its reason.
var namedElsewhere = map[string]string{
	// Experiment names that would collide with the results folder's own
	// files; TestTopLevelNamesAreReserved checks them.
	"internal/experiment/parse.go": "reserved experiment names",
	// The floor of BENCHMARKS.md writes what the runner writes, without it.
	"bench/floor/main.go": "the benchmark floor",
}

// TestNoOtherPackageNamesTheLayout fails if a Go file outside this
// package, tests aside, holds a string literal that is a name of the
// results layout, or a path ending in one: the layout is this package's
// alone. Prose that mentions a file ("trace.csv has every one kept") is
// not a name and is allowed.
func TestNoOtherPackageNamesTheLayout(t *testing.T) {
	names := slices.Concat(topFiles, experimentFiles, runFiles, []string{ManifestFile, PrivateDir})
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		if d.IsDir() {
			if rel == "internal/results" || strings.HasPrefix(d.Name(), ".") && rel != root || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || namedElsewhere[rel] != "" {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || strings.ContainsAny(s, " \n") {
				return true // prose, not a name
			}
			for _, name := range names {
				if s == name || strings.HasSuffix(s, "/"+name) || strings.HasPrefix(s, name+"/") {
					t.Errorf("%s: %s names the results layout's %s; use the results package's constant or function", fset.Position(lit.Pos()), lit.Value, name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
