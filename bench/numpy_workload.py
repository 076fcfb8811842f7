#!/usr/bin/env python3
"""The reference workload of BENCHMARKS.md as a user might write it with
NumPy: the article's network, b3 from 0, 1000 learning rates from 0.001 to
0.33, each run's trace written to CSV, and a summary.

    python3 bench/numpy_workload.py OUT_DIR
"""
import os
import sys

import numpy as np

x = np.array([0.0, 0.5, 1.0])
y = np.array([0.0, 1.0, 0.0])
w1, b1, w2, b2, w3, w4 = 3.34, -1.43, -3.53, 0.57, -1.22, -2.30
tolerance, max_iterations = 0.0001, 10000


def softplus(z):
    return np.log1p(np.exp(z))


def main(out):
    hidden = w3 * softplus(w1 * x + b1) + w4 * softplus(w2 * x + b2)
    summary = []
    for alpha in np.linspace(0.001, 0.33, 1000):
        rows = []
        b3 = 0.0
        for n in range(1, max_iterations + 1):
            predicted = hidden + b3
            residual = y - predicted
            ssr = np.sum(residual * residual)
            gradient = np.sum(-2 * residual)
            step = alpha * gradient
            rows.append([n, b3, *predicted, ssr, gradient, step, b3 - step])
            if abs(step) < tolerance:
                break
            b3 = b3 - step
        folder = os.path.join(out, "workload", f"alpha={alpha:.12g}")
        os.makedirs(folder, exist_ok=True)
        np.savetxt(os.path.join(folder, "trace.csv"), np.array(rows), delimiter=",", fmt="%.12g",
                   header="iteration,b3,predicted_1,predicted_2,predicted_3,ssr,gradient_b3,step_b3,next_b3",
                   comments="")
        summary.append([alpha, len(rows), b3 - step])
    np.savetxt(os.path.join(out, "summary.csv"), np.array(summary), delimiter=",", fmt="%.12g",
               header="alpha,iterations,b3_final", comments="")


if __name__ == "__main__":
    main(sys.argv[1])
