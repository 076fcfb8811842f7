// Command floor is the floor of BENCHMARKS.md: the least a Go program
// must do for the reference workload (bench/workload.yaml). It runs the
// same descent for the same 1000 learning rates and writes one trace.csv
// per run, in a folder per run, and one summary.csv, byte for byte as
// `runner run` writes them (a test checks it), with nothing else: no YAML,
// no validation, no records, no tables or pictures, no worker pool, no
// atomic writes, no comparison with files already there. The runner's time
// for the whole workload is compared with it.
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
		buf = traceCSV(buf[:0], rows)
		if err := writeFile(filepath.Join(dir, "trace.csv"), buf); err != nil {
			return err
		}
	}
	buf = append(buf[:0], summaryHeader...)
	for _, res := range results {
		buf = append(buf, summaryRow(res)...)
	}
	return writeFile(filepath.Join(out, "summary.csv"), buf)
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

// summaryHeader is the header of summary.csv: the runner's columns.
const summaryHeader = "experiment,run,train,activation,alpha,tolerance,max_iterations,w1_initial,b1_initial,w2_initial,b2_initial,w3_initial,w4_initial,b3_initial,iterations,status,w1_final,b1_final,w2_final,b2_final,w3_final,w4_final,b3_final,ssr_final,b3_optimum,error_factor,alpha_limit,expected\n"

// summaryRow returns a run's row of summary.csv.
func summaryRow(res result) []byte {
	b := fmt.Appendf(nil, "workload,%s,b3,softplus,%s,0.0001,10000,3.34,-1.43,-3.53,0.57,-1.22,-2.3,0,%d,converged,,,,,,,", res.id, res.alpha, res.iterations)
	for i, v := range []float64{res.b3, res.ssr, res.optimum, res.errorFactor} {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNumber(b, v, 12)
	}
	// Trained alone, b3 moves every prediction by the same step, so the
	// SSR's second derivative is 2n and the stability limit 2/2n = 1/3.
	b = append(b, ',')
	b = appendNumber(b, 1.0/3, 12)
	return append(b, ",\n"...)
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
