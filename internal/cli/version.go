package cli

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

// BuildInfo is the runner's version, from the build information Go
// records in the binary.
type BuildInfo struct {
	// Module is the module's version: a release such as v1.2.0 when
	// installed with go install …@version, a pseudo-version when built
	// from a repository with -buildvcs, or (devel).
	Module string
	// Revision is the commit built from, and Modified whether the work
	// tree had uncommitted changes; both are empty if not recorded.
	Revision string
	Modified bool
	// Go is the version of Go it was built with.
	Go string
}

// Version returns the runner's build information.
func Version() BuildInfo {
	v := BuildInfo{Module: "(devel)"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if info.Main.Version != "" {
		v.Module = info.Main.Version
	}
	v.Go = info.GoVersion
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String writes the version as runner version prints it.
func (v BuildInfo) String() string {
	s := "runner " + v.Module
	if v.Revision != "" {
		s += ", revision " + v.Revision
		if v.Modified {
			s += " (modified)"
		}
	}
	if v.Go != "" {
		s += ", built with " + v.Go
	}
	return s
}

const versionUsage = `Usage: runner version

Print the runner's version: its module version, the revision of the
repository it was built from (and whether that had uncommitted changes),
and the Go version it was built with. runner --version prints the same.
Each experiment's manifest.yaml notes the module version that computed its
runs: (devel) for a build from a clone, a version such as v1.2.0 for one
installed from a release.

Exit status: 0 printed; 2 bad usage; 3 the version could not be written.
`

// versionCommand is runner version.
func versionCommand(_ context.Context, stdout, _ io.Writer, args []string) error {
	if err := parseNoArguments("version", versionUsage, stdout, args); err != nil {
		return err
	}
	_, err := fmt.Fprintln(stdout, Version())
	return reportError(err)
}
