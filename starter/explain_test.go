package starter

import (
	"errors"
	"strings"
	"testing"

	"go.temporal.io/api/serviceerror"
)

// A Temporal server that can't read its database (PostgreSQL restarting)
// answers "namespace not found": that reads as Temporal being unreachable,
// so the doors say nothing was done and to try again, not that the
// namespace is gone.
func TestANamespaceNotFoundReadsAsAnOutage(t *testing.T) {
	err := explain(serviceerror.NewNamespaceNotFound("default"), "abc123")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("explain gave %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), `namespace "default"`) || !strings.Contains(err.Error(), "try again") {
		t.Errorf("the sentence %q should name the namespace and say to try again", err)
	}
}
