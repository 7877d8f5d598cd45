package drill_test

import (
	"testing"

	"github.com/incidentflow/incidentflow/drill"
)

// FuzzParse holds that Parse never panics and that any scenario it
// accepts passes Check.
func FuzzParse(f *testing.F) {
	// Small seeds: the fuzzer minimizes every input that finds new
	// coverage, which takes long for a file the size of a built-in.
	f.Add([]byte(valid))
	f.Add([]byte("name: a\ntitle: b\nseverity: c\ninjects:\n  - {id: x, kind: message, text: t, after: 'inject:y'}\n  - {id: y, kind: message, text: t, after: 'inject:x'}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("name: a\ntitle: b\nseverity: c\ntime_limit: 10m\nfacts: [x]\ninjects:\n  - {id: p, kind: alert, at: 1m, alert: {name: A, labels: {k: v}, url: 'https://x'}}\n  - {id: q, kind: status_page_stale, after: 'status:identified', delay: 1m}\nexpected:\n  - {text: t, event: kept_private, within: 5m}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := drill.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		if err := s.Check(); err != nil {
			t.Fatalf("Parse accepted a scenario Check refuses:\n%s\n%s", data, err)
		}
		if s.Origin != "fuzz.yaml" {
			t.Fatalf("Origin %q", s.Origin)
		}
	})
}
