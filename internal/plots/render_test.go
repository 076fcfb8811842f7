package plots

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/descentlab/runner/pkg/engine"
)

// TestPicturesFitWithTheFallbackFont renders pictures with rsvg-convert
// (Debian's librsvg2-bin), with whatever fonts the machine has: with
// Liberation Serif missing, the SVG's fallbacks lay the text out, and no
// text may run off the picture. The oscillating run's descent has its
// "end" label at the right edge. CI installs rsvg-convert and sets
// RUNNER_REQUIRE_RSVG, which makes its absence a failure.
func TestPicturesFitWithTheFallbackFont(t *testing.T) {
	rsvg := rsvgConvert(t)
	oscillating, path := run(t, engine.NewParamSet(engine.B3), 1.0/3, 1000)
	article, _ := run(t, engine.NewParamSet(engine.B3), 0.1, 1000)
	several, severalPath := run(t, engine.NewParamSet(engine.W3, engine.W4, engine.B3), 0.1, 50)
	for name, draw := range map[string]func() ([]byte, error){
		"descent of an oscillating run": func() ([]byte, error) { return Descent(oscillating, path, "article: α = 1/3") },
		"fit":                           func() ([]byte, error) { return Fit(article, "article") },
		"descent of several":            func() ([]byte, error) { return Descent(several, severalPath, "several") },
	} {
		svg, err := draw()
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "picture.svg")
		if err := os.WriteFile(file, svg, 0o644); err != nil {
			t.Fatal(err)
		}
		checkRendered(t, rsvg, name, file)
	}
}

// TestGoldenPicturesRender renders every golden picture as
// TestPicturesFitWithTheFallbackFont does: rsvg-convert must say nothing,
// and nothing may touch the picture's edges.
func TestGoldenPicturesRender(t *testing.T) {
	rsvg := rsvgConvert(t)
	files, err := filepath.Glob(filepath.Join("testdata", "*.svg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden pictures: %v", err)
	}
	for _, file := range files {
		checkRendered(t, rsvg, file, file)
	}
}

// rsvgConvert returns the path of rsvg-convert, or skips the test.
func rsvgConvert(t *testing.T) string {
	rsvg, err := exec.LookPath("rsvg-convert")
	if err != nil {
		if os.Getenv("RUNNER_REQUIRE_RSVG") != "" {
			t.Fatalf("rsvg-convert is needed: %v (apt-get install librsvg2-bin)", err)
		}
		t.Skip("rsvg-convert is not installed (apt-get install librsvg2-bin)")
	}
	return rsvg
}

// checkRendered renders an SVG file with rsvg-convert: it must print no
// warning, and draw nothing at the picture's edges.
func checkRendered(t *testing.T, rsvg, name, file string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(rsvg, "--format=png", file)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s: rsvg-convert: %v %s", name, err, stderr.Bytes())
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b := img.Bounds()
	for _, edge := range []image.Rectangle{
		image.Rect(b.Min.X, b.Min.Y, b.Min.X+1, b.Max.Y), image.Rect(b.Max.X-1, b.Min.Y, b.Max.X, b.Max.Y),
		image.Rect(b.Min.X, b.Min.Y, b.Max.X, b.Min.Y+1), image.Rect(b.Min.X, b.Max.Y-1, b.Max.X, b.Max.Y),
	} {
		if x, y, ok := ink(img, edge); ok {
			t.Errorf("%s: something is drawn at the edge (%d, %d) of the %dx%d picture: cut off", name, x, y, b.Dx(), b.Dy())
		}
	}
}

// ink finds a pixel in r that is not background: opaque and not near
// white.
func ink(img image.Image, r image.Rectangle) (int, int, bool) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			if ca > 0x8000 && (cr < 0xc000 || cg < 0xc000 || cb < 0xc000) {
				return x, y, true
			}
		}
	}
	return 0, 0, false
}
