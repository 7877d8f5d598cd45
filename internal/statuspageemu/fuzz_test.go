package statuspageemu_test

import (
	"testing"

	"github.com/incidentflow/incidentflow/internal/statuspageemu"
)

// FuzzParseIncidentBody: any body either parses to the incident's fields or
// is refused with an error; never a panic.
func FuzzParseIncidentBody(f *testing.F) {
	for _, s := range []string{`{"incident":{"name":"x"}}`, `{"incident":null}`, `{}`, `[]`, `{"incident":{"components":{"a":"b"}}}`, `{"incident":1} {}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fields, err := statuspageemu.ParseIncidentBody(data)
		if err == nil && fields == nil {
			t.Fatal("no error and no fields")
		}
	})
}
