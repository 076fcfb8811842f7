package experiment

import "github.com/descentlab/runner/internal/suggest"

// closest returns the known name nearest to a misspelt one, or "".
var closest = suggest.Closest
