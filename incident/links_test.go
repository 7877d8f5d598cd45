package incident_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/incidentflow/incidentflow/incident"
)

// TestWebUIWorkflowURL: the war-room bookmark and the front door's link
// share one format, which existing war rooms already carry, and a segment
// can't add a path of its own.
func TestWebUIWorkflowURL(t *testing.T) {
	for _, c := range []struct{ base, namespace, id, want string }{
		{"http://127.0.0.1:8233", "default", "incident-abcd2345", "http://127.0.0.1:8233/namespaces/default/workflows/incident-abcd2345"},
		{"https://temporal.example/ui//", "prod.payments", "incident-x_1", "https://temporal.example/ui/namespaces/prod.payments/workflows/incident-x_1"},
		{"http://ui", "a/b", "incident-1?x=#y", "http://ui/namespaces/a%2Fb/workflows/incident-1%3Fx=%23y"},
	} {
		assert.Equal(t, c.want, incident.WebUIWorkflowURL(c.base, c.namespace, c.id))
	}
}
