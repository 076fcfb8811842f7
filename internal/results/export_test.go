package results

// What the external tests (package results_test) need of the package's
// inside.

// RemoveAll is removeAll: it removes a name and everything under it,
// without following a link.
func RemoveAll(fsys FileSystem, name string) error {
	return removeAll(fsys, name)
}

// RecordsHeader returns the header of records.csv of the experiment whose
// manifest is m.
func RecordsHeader(m *ExperimentManifest) []byte {
	return columnsOf(&m.Inputs, m.RunFiles).header()
}

// RecordRow returns a run's row of records.csv, with its line end, as the
// store writes it for the experiment whose manifest is m.
func RecordRow(m *ExperimentManifest, rec *Record) []byte {
	return columnsOf(&m.Inputs, m.RunFiles).appendRow(nil, rec, rec.Inputs.Hash())
}
