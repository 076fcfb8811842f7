package search

import (
	"testing"
)

// BenchmarkSearch measures a search's own work beside its runs', on the
// article's problem with width 1, for one whole search: "proposals" is
// what a pipeline that keeps the Search asks of it (Start, then Next and
// Record for every round, then Answer), "replays" the same through
// Spec.Next and Spec.Answer, each replaying every round before it (as a
// caller that keeps only the rounds does, and as a resume does once), and
// "runs" the descents of its probes, without writing anything.
func BenchmarkSearch(b *testing.B) {
	for _, spec := range []Spec{
		{Find: Edge, From: 0.001, To: 1, Scale: Log, Width: 1},
		{Find: Fastest, From: 0.001, To: 1, Scale: Log, Width: 1},
	} {
		_, rounds := drive(b, spec, article.probe, nil)
		b.Run(spec.Find.String()+"/proposals", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := spec.Start(nil)
				if err != nil {
					b.Fatal(err)
				}
				for _, round := range rounds {
					s.Next()
					if err := s.Record(round); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := s.Answer(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(spec.Find.String()+"/replays", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i := range rounds {
					if _, _, err := spec.Next(rounds[:i]); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := spec.Answer(rounds); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(spec.Find.String()+"/runs", func(b *testing.B) {
			for b.Loop() {
				for _, round := range rounds {
					for _, p := range round {
						article.probe(p.Value)
					}
				}
			}
		})
	}
}
