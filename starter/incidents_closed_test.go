package starter

import (
	"testing"
	"time"
)

// TestListFilterQueries: the visibility query of each filter, checked by
// hand; a status that isn't one never reaches the query.
func TestListFilterQueries(t *testing.T) {
	since := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	for _, c := range []struct {
		f    ListFilter
		want string
	}{
		{ListFilter{}, "WorkflowType = 'IncidentWorkflow' AND ExecutionStatus = 'Running'"},
		{ListFilter{Closed: true}, "WorkflowType = 'IncidentWorkflow' AND ExecutionStatus != 'ContinuedAsNew'"},
		{ListFilter{Status: "resolved", Since: since},
			"WorkflowType = 'IncidentWorkflow' AND IncidentStatus = 'resolved' AND ExecutionStatus != 'ContinuedAsNew' AND StartTime >= '2026-03-01T08:30:00Z'"},
	} {
		if got, err := c.f.query(); err != nil || got != c.want {
			t.Errorf("%+v: query %q (%v)\nwant %q", c.f, got, err, c.want)
		}
	}
	_, err := ListFilter{Status: "resolved' OR 1=1"}.query()
	if want := `unknown status "resolved' OR 1=1": use one of investigating, identified, monitoring, mitigated, resolved`; err == nil || err.Error() != want {
		t.Errorf("a bad status: %v, want %s", err, want)
	}
}

func TestResolvedErrorSaysWhenAndByWhom(t *testing.T) {
	at := time.Date(2026, 3, 2, 14, 32, 0, 0, time.UTC)
	err := &ResolvedError{ID: "abc123", At: at, By: "Ava Diaz"}
	if want := "incident abc123 was already resolved at 14:32 UTC by Ava Diaz; if the problem is back, declare a new incident"; err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
}
