package cli

import (
	"flag"
	"io"
	"os"
	"strconv"

	"golang.org/x/term"

	"github.com/descentlab/runner/internal/render"
)

// terminalFlags are the flags that say how tables look on a terminal.
type terminalFlags struct {
	wide   bool
	digits int
}

func (t *terminalFlags) add(fs *flag.FlagSet) {
	fs.BoolVar(&t.wide, "wide", false, "show every column of tables, however wide the terminal")
	fs.IntVar(&t.digits, "digits", render.ReadableDigits, "show numbers in tables with `N` significant digits (1 to 17)")
}

func (t *terminalFlags) check() error {
	if t.digits < 1 || t.digits > 17 {
		return usagef("-digits: must be between 1 and 17, got %d", t.digits)
	}
	return nil
}

// of returns how tables are shown on w: on a terminal, as wide as it is
// (or as COLUMNS says), in colour unless NO_COLOR is set (not empty) or TERM is dumb;
// in a pipe or a file, every column and no colour.
func (t *terminalFlags) of(w io.Writer) render.Terminal {
	r := render.Terminal{Wide: t.wide, Digits: t.digits}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return r
	}
	if cols, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && cols > 0 {
		r.Width = cols
	} else if cols, _, err := term.GetSize(int(f.Fd())); err == nil {
		r.Width = cols
	}
	// https://no-color.org: NO_COLOR set and not empty turns colour off.
	r.Color = os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	return r
}
