package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// fullWriter is a stdout that takes nothing, as /dev/full or a closed pipe.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestReportNotWrittenWhole runs commands whose report cannot be written:
// each exits 3 and says so, help and -h included, so that a cut report is
// never taken for a whole one.
func TestReportNotWrittenWhole(t *testing.T) {
	exp := writeFile(t, "lr.yaml", sweepOf("lr", "0.1"))
	for _, args := range [][]string{
		{"help"}, {"-h"}, {"help", "run"}, {"help", "experiments"}, {"help", "outputs"},
		{"run", "-h"}, {"ls", "-h"}, {"show", "-h"}, {"diff", "-h"},
		{"version"}, {"--version"}, {"schema"}, {"validate", exp},
	} {
		var stderr bytes.Buffer
		if status := Main(args, fullWriter{}, &stderr); status != ExitReport {
			t.Errorf("runner %s: status %d, want %d\n%s", strings.Join(args, " "), status, ExitReport, stderr.String())
		}
		if !strings.Contains(stderr.String(), "writing the report") {
			t.Errorf("runner %s: stderr %q does not say the report could not be written", strings.Join(args, " "), stderr.String())
		}
	}
}
