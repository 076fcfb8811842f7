// Command floor is the floor of BENCHMARKS.md: the least a Go program must
// do for the reference workload (bench/workload.yaml). It runs the same
// descent for the same 1000 learning rates and writes the same files as
// `runner run --no-plots` does, byte for byte (a test checks it), with
// nothing else: no YAML, no validation, no table library, no worker pool,
// no atomic writes, no comparison with files already there. The runner's
// time for the whole workload is compared with it.
//
//	go run ./bench/floor -o DIR
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/descentlab/runner/pkg/engine"
)

// The workload, as bench/workload.yaml declares it.
var (
	network   = engine.Network{Params: engine.Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30}}
	data      = []engine.Point{{X: 0, Y: 0}, {X: 0.5, Y: 1}, {X: 1, Y: 0}}
	tolerance = 0.0001
	maxIter   = 10000
	alphaFrom = 0.001
	alphaTo   = 0.33
	runs      = 1000
)

func main() {
	out := flag.String("o", "floor-results", "write the results under `DIR`")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

// row is one iteration: b3, the predictions, SSR, gradient, step, next b3.
type row [8]float64

// result is what a run leaves for the summary.
type result struct {
	id, alpha                     string
	iterations                    int
	b3, ssr, optimum, errorFactor float64
}

func run(out string) error {
	// The network's output at b3 = 0, once: only b3 descends.
	hidden := make([]float64, len(data))
	optimum := 0.0
	for i, pt := range data {
		hidden[i] = network.Predict(pt.X)
		optimum += pt.Y - hidden[i]
	}
	optimum /= float64(len(data))

	var buf []byte
	var results []result
	rows := make([]row, 0, maxIter)
	for k := range runs {
		alpha := alphaAt(k)
		res := result{id: "workload/alpha=" + strconv.FormatFloat(alpha, 'g', -1, 64), alpha: strconv.FormatFloat(alpha, 'g', -1, 64),
			optimum: optimum, errorFactor: math.Abs(1 - float64(2*float64(len(data))*alpha))}
		rows = descend(rows[:0], hidden, alpha)
		last := rows[len(rows)-1]
		res.iterations, res.b3 = len(rows), last[7]
		for i, pt := range data {
			r := pt.Y - (hidden[i] + res.b3)
			res.ssr += float64(r * r)
		}
		results = append(results, res)

		dir := filepath.Join(out, filepath.FromSlash(res.id))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for _, f := range []struct {
			name   string
			render func([]byte) []byte
		}{
			{"trace.csv", func(b []byte) []byte { return traceCSV(b, rows) }},
			{"iterations.md", func(b []byte) []byte { return iterationsMD(b, res, rows) }},
			{"result.csv", func(b []byte) []byte { return append(append(b, resultHeader...), summaryRow(res, true)...) }},
		} {
			buf = f.render(buf[:0])
			if err := writeFile(filepath.Join(dir, f.name), buf); err != nil {
				return err
			}
		}
	}
	buf = append(buf[:0], summaryHeader...)
	for _, res := range results {
		buf = append(buf, summaryRow(res, false)...)
	}
	if err := writeFile(filepath.Join(out, "summary.csv"), buf); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(out, "summary.md"), summaryMD(buf[:0], results)); err != nil {
		return err
	}
	return writeFile(filepath.Join(out, "README.md"), indexMD(buf[:0], results))
}

// alphaAt returns learning rate k of the linear range, rounded to 12
// significant digits as the runner rounds range values.
func alphaAt(k int) float64 {
	v := alphaTo
	if k < runs-1 {
		v = alphaFrom + (alphaTo-alphaFrom)*float64(k)/float64(runs-1)
	}
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	return v
}

// descend appends the iterations of the descent with learning rate alpha.
func descend(rows []row, hidden []float64, alpha float64) []row {
	b3 := 0.0
	for n := 1; n <= maxIter; n++ {
		var r row
		r[0] = b3
		var ssr, gradient float64
		for i, pt := range data {
			p := hidden[i] + b3
			r[1+i] = p
			res := pt.Y - p
			ssr += float64(res * res)
			gradient += float64(-2 * res)
		}
		step := float64(alpha * gradient)
		r[4], r[5], r[6], r[7] = ssr, gradient, step, b3-step
		rows = append(rows, r)
		if math.Abs(step) < tolerance {
			break
		}
		b3 = r[7]
	}
	return rows
}

func traceCSV(b []byte, rows []row) []byte {
	b = append(b, "iteration,b3,predicted_1,predicted_2,predicted_3,ssr,gradient_b3,step_b3,next_b3\n"...)
	for n, r := range rows {
		b = strconv.AppendInt(b, int64(n+1), 10)
		for _, v := range r {
			b = appendNumber(append(b, ','), v, 12)
		}
		b = append(b, '\n')
	}
	return b
}

// appendNumber formats as the runner does: %g style with the given
// significant digits, 0 for -0.
func appendNumber(b []byte, v float64, digits int) []byte {
	if v == 0 {
		return append(b, '0')
	}
	return strconv.AppendFloat(b, v, 'g', digits, 64)
}

func readable(v float64) string { return string(appendNumber(nil, v, 3)) }

func iterationsMD(b []byte, res result, rows []row) []byte {
	b = fmt.Appendf(b, "# %s\n\nGradient descent on b3 from b3 = 0 with α = %s, until |step size| < %s or %d iterations.\n\n",
		res.id, res.alpha, strconv.FormatFloat(tolerance, 'g', -1, 64), maxIter)
	header := []string{"iteration", "b3", "predicted", "SSR", "gradient", "step size", "new b3"}
	var cells [][]string
	for n, r := range rows {
		if n == 10 && len(rows) > 20 {
			cells = append(cells, []string{"…", "", "", "", "", "", ""})
		}
		if n >= 10 && n < len(rows)-10 {
			continue
		}
		predicted := readable(r[1]) + ", " + readable(r[2]) + ", " + readable(r[3])
		cells = append(cells, []string{strconv.Itoa(n + 1), readable(r[0]), predicted, readable(r[4]), readable(r[5]), readable(r[6]), readable(r[7])})
	}
	b = markdownTable(b, header, cells, 0)
	b = fmt.Appendf(b, "\nConverged after %d iterations: b3 = %s, SSR = %s.\n", res.iterations, readable(res.b3), readable(res.ssr))
	if len(rows) > 20 {
		b = fmt.Appendf(b, "Iterations 11 to %d are left out here; trace.csv has every iteration.\n", len(rows)-10)
	}
	return append(b, "\nNumbers are rounded to 3 significant figures; trace.csv has 12.\n"...)
}

// The columns of a run's result.csv, and of the summary, which leaves out
// the weights as every run has the same.
const (
	resultHeader  = "experiment,run,alpha,b3_initial,tolerance,max_iterations,w1,b1,w2,b2,w3,w4,iterations,status,b3_final,ssr_final,b3_optimum,error_factor,expected\n"
	summaryHeader = "experiment,run,alpha,b3_initial,tolerance,max_iterations,iterations,status,b3_final,ssr_final,b3_optimum,error_factor,expected\n"
)

func summaryRow(res result, weights bool) []byte {
	b := fmt.Appendf(nil, "workload,%s,%s,0,0.0001,10000,", res.id, res.alpha)
	if weights {
		b = append(b, "3.34,-1.43,-3.53,0.57,-1.22,-2.3,"...)
	}
	b = fmt.Appendf(b, "%d,converged,", res.iterations)
	for _, v := range []float64{res.b3, res.ssr, res.optimum, res.errorFactor} {
		b = append(appendNumber(b, v, 12), ',')
	}
	return append(b, '\n')
}

func summaryMD(b []byte, results []result) []byte {
	b = append(b, "# Summary\n\n"...)
	header := []string{"run", "alpha", "b3 initial", "tolerance", "max iterations", "iterations", "status", "b3 final", "SSR final", "b3*", "error factor", "expected"}
	var cells [][]string
	for _, res := range results {
		link := "[" + res.id + "](" + res.id + "/iterations.md)"
		cells = append(cells, []string{link, res.alpha, "0", "0.0001", "10000", strconv.Itoa(res.iterations), "converged",
			readable(res.b3), readable(res.ssr), readable(res.optimum), readable(res.errorFactor), ""})
	}
	b = markdownTable(b, header, cells, 1<<0|1<<6)
	return append(b, "\nb3* is the b3 that minimises SSR, and error factor = |1 - 2·N·α| the factor by which each step multiplies the distance to it (N data points): descent converges when it is below 1. summary.csv has the same rows with full precision.\n"...)
}

// indexMD appends the results folder's README.md, as the runner writes it
// without pictures (--no-plots).
func indexMD(b []byte, results []result) []byte {
	b = append(b, "# Results\n\nWritten by the runner; do not edit. The same runs as [summary.md](summary.md), with links to every file; [summary.csv](summary.csv) has the numbers in full.\n\n## Runs\n\n"...)
	var cells [][]string
	for _, res := range results {
		cells = append(cells, []string{"[" + res.id + "](" + res.id + "/iterations.md)", "converged", strconv.Itoa(res.iterations),
			readable(res.ssr), "[trace](" + res.id + "/trace.csv)"})
	}
	return markdownTable(b, []string{"run", "status", "iterations", "SSR final", "files"}, cells, 1<<0|1<<1|1<<4)
}

// markdownTable appends a Markdown table whose columns are right-aligned
// but those whose bit is set in left.
func markdownTable(b []byte, header []string, rows [][]string, left uint) []byte {
	width := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for j, c := range r {
			width[j] = max(width[j], utf8.RuneCountInString(c))
		}
	}
	line := func(b []byte, cells []string) []byte {
		for j, c := range cells {
			pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(c))
			if left&(1<<j) != 0 {
				b = append(append(append(b, "| "...), c...), pad...)
			} else {
				b = append(append(append(b, "| "...), pad...), c...)
			}
			b = append(b, ' ')
		}
		return append(b, "|\n"...)
	}
	b = line(b, header)
	for j := range header {
		if left&(1<<j) != 0 {
			b = append(append(b, "|:"...), strings.Repeat("-", width[j]+1)...)
		} else {
			b = append(append(append(b, '|'), strings.Repeat("-", width[j]+1)...), ':')
		}
	}
	b = append(b, "|\n"...)
	for _, r := range rows {
		b = line(b, r)
	}
	return b
}

func writeFile(name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if _, err := w.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
