package wfapi_test

import (
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestRequestsCheckTheirFields: every request a door sends refuses a field
// past its bound with the sentence the workflow's validator gives, and
// accepts one at its bound.
func TestRequestsCheckTheirFields(t *testing.T) {
	long := strings.Repeat("é", incident.MaxText+1)
	atBound := strings.Repeat("é", incident.MaxText)
	over := "is 3,001 characters; incidentflow keeps at most 3,000"
	for _, c := range []struct {
		name string
		req  wfapi.Checker
		want string // "" for accepted
	}{
		{"update", wfapi.PostStatusRequest{Author: "U1", Text: long}, "the status update " + over},
		{"update at its bound", wfapi.PostStatusRequest{Author: "U1", Text: atBound}, ""},
		{"empty update", wfapi.PostStatusRequest{Author: "U1", Text: "  "}, "a status update needs text"},
		{"unknown status", wfapi.PostStatusRequest{Author: "U1", Text: "x", Status: "sideways"}, "sideways"},
		{"negative next update", wfapi.PostStatusRequest{Author: "U1", Text: "x", NextUpdateIn: -1}, "can't be negative"},
		{"severity reason", wfapi.SetSeverityRequest{By: "U1", Severity: incident.Major, Reason: long}, "the reason " + over},
		{"role without user", wfapi.AssignRoleRequest{By: "U1", Role: incident.Commander}, "name the user who takes the role"},
		{"role user name", wfapi.AssignRoleRequest{By: "U1", Role: incident.Commander, User: strings.Repeat("u", incident.MaxName+1)}, "the user is 101 characters"},
		{"action item", wfapi.AddActionItemRequest{By: "U1", Text: long}, "the action item " + over},
		{"action item due", wfapi.AddActionItemRequest{By: "U1", Text: "x", Due: "tomorrow"}, `due date "tomorrow" isn't a date`},
		{"resolution", wfapi.ResolveRequest{By: "U1", Summary: long}, "the resolution summary " + over},
		{"empty resolution", wfapi.ResolveRequest{By: "U1"}, "resolving needs a summary"},
		{"maintenance completion note", wfapi.CompleteMaintenanceRequest{By: "U1", Note: long}, "the note " + over},
		{"maintenance promotion note", wfapi.PromoteMaintenanceRequest{By: "U1", Severity: incident.Major, Note: long}, "the note " + over},
		{"maintenance promotion", wfapi.PromoteMaintenanceRequest{By: "U1", Severity: incident.Major, Note: "went wrong"}, ""},
	} {
		err := c.req.Check()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}
