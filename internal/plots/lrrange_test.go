package plots

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/search"
	"github.com/descentlab/runner/pkg/engine"
)

// rangeTest runs a range test of the article's descent from α = from to
// to, and returns its analysis.
func rangeTest(t *testing.T, from, to float64) *search.RangeAnalysis {
	t.Helper()
	spec := search.Spec{Find: search.LRRange, From: from, To: to, Scale: search.Log}
	s := spec.RangeSettings(engine.Settings{})
	test := search.NewRangeTest(s)
	start := engine.Network{Params: engine.Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30}}
	data := []engine.Point{{X: 0, Y: 0}, {X: 0.5, Y: 1}, {X: 1, Y: 0}}
	if _, err := engine.Descend(start, data, s, test.Observe); err != nil {
		t.Fatal(err)
	}
	a := test.Analysis()
	return &a
}

// ruleFill is how the SVG fills shapes of the rule's colour.
func ruleFill(r search.Rule) string {
	c := ruleStyles[r].color.(interface{ RGBA() (r, g, b, a uint32) })
	red, green, blue, _ := c.RGBA()
	return fmt.Sprintf("fill:#%02X%02X%02X", red>>8, green>>8, blue>>8)
}

// TestRangeTestPicture draws a range test's picture and checks it: SVG
// that draws the same twice, a marker of each rule's colour on the curve
// and in the legend, each suggestion and the stop labelled; and the
// pictures of a test too short to suggest anything, and of one with
// nothing finite to draw.
func TestRangeTestPicture(t *testing.T) {
	a := rangeTest(t, 1e-4, 10)
	if len(a.Suggestions) != 3 || !a.Stopped {
		t.Fatalf("the article's range test: %d suggestions, stopped %v", len(a.Suggestions), a.Stopped)
	}
	draw := func() ([]byte, error) { return LRRange("lr-range", a) }
	checkSVG(t, "lr-range", draw, 0)
	svg, _ := draw()
	text := string(svg)
	for _, s := range a.Suggestions {
		if got := strings.Count(text, ruleFill(s.Rule)); got != 2 {
			t.Errorf("%v: %d shapes of its colour, want 2 (the marker and the legend's)", s.Rule, got)
		}
		if label := fmt.Sprintf("%v: α = %.3g", s.Rule, s.Alpha); !strings.Contains(text, label) {
			t.Errorf("no label %q", label)
		}
	}
	for _, label := range []string{"stop: smoothed SSR &gt; 4 × its least", "smoothed SSR (β = 0.98)", "stopped at iteration"} {
		if !strings.Contains(text, label) {
			t.Errorf("no text %q", label)
		}
	}

	short := rangeTest(t, 1, 100)
	svg, err := LRRange("short", short)
	if err != nil || !strings.Contains(string(svg), "too few to suggest") || strings.Contains(string(svg), ruleFill(search.Steepest)) {
		t.Errorf("a test too short for suggestions: %v, or its picture shows one or does not say so", err)
	}
	svg, err = LRRange("empty", &search.RangeAnalysis{})
	if err != nil || !strings.Contains(string(svg), "no finite values to draw") {
		t.Errorf("a test with nothing to draw: %v", err)
	}
}

// TestRangeTestPictureFitsWithTheFallbackFont renders range tests'
// pictures with rsvg-convert, as TestPicturesFitWithTheFallbackFont does
// the others: with whatever fonts the machine has, no text may run off
// the picture.
func TestRangeTestPictureFitsWithTheFallbackFont(t *testing.T) {
	rsvg, err := exec.LookPath("rsvg-convert")
	if err != nil {
		if os.Getenv("RUNNER_REQUIRE_RSVG") != "" {
			t.Fatalf("rsvg-convert is needed: %v (apt-get install librsvg2-bin)", err)
		}
		t.Skip("rsvg-convert is not installed (apt-get install librsvg2-bin)")
	}
	for _, ends := range [][2]float64{{1e-4, 10}, {1, 100}} {
		svg, err := LRRange("article/lr-range", rangeTest(t, ends[0], ends[1]))
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "lr-range.svg")
		if err := os.WriteFile(file, svg, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(rsvg, "--format=png", file).Output()
		if err != nil {
			t.Fatalf("rsvg-convert: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		for _, edge := range []image.Rectangle{
			image.Rect(b.Min.X, b.Min.Y, b.Min.X+1, b.Max.Y), image.Rect(b.Max.X-1, b.Min.Y, b.Max.X, b.Max.Y),
			image.Rect(b.Min.X, b.Min.Y, b.Max.X, b.Min.Y+1), image.Rect(b.Min.X, b.Max.Y-1, b.Max.X, b.Max.Y),
		} {
			if x, y, ok := ink(img, edge); ok {
				t.Errorf("α from %g to %g: something is drawn at the edge (%d, %d) of the %dx%d picture: cut off", ends[0], ends[1], x, y, b.Dx(), b.Dy())
			}
		}
	}
}
