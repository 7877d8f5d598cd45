package starter_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering keeps the layout's promises (docs/architecture.md): the
// Temporal client links no Slack code, and the worker links no door.
func TestLayering(t *testing.T) {
	for _, c := range []struct{ pkg, forbidden string }{
		{"github.com/incidentflow/incidentflow/starter", "github.com/slack-go/slack"},
		{"github.com/incidentflow/incidentflow/workflows/wfapi", "github.com/slack-go/slack"},
		{"github.com/incidentflow/incidentflow/worker", "github.com/incidentflow/incidentflow/frontdoor"},
	} {
		out, err := exec.Command("go", "list", "-deps", c.pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", c.pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, c.forbidden) {
				t.Errorf("%s depends on %s", c.pkg, dep)
			}
		}
	}
}
