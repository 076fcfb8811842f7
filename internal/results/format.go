package results

import "strconv"

// DefaultCSVDigits is the number of significant digits of results in CSV
// files and records, unless an experiment or the command line sets
// another (see experiment.MaxCSVDigits).
const DefaultCSVDigits = 12

// FormatCSV formats a result for a CSV file: %g-style with the given
// number of significant digits and no trailing zeros (0.1, 2.60891113725,
// 6.3e-05 with 12 digits), the C locale, and -0 written as 0. NaN and
// infinities are written NaN, +Inf and -Inf.
func FormatCSV(v float64, digits int) string {
	return string(appendCSV(nil, v, digits))
}

// appendCSV appends v formatted as FormatCSV does.
func appendCSV(dst []byte, v float64, digits int) []byte {
	if v == 0 {
		return append(dst, '0') // also for -0
	}
	return strconv.AppendFloat(dst, v, 'g', digits, 64)
}
