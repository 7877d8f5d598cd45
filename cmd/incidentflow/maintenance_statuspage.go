package main

import (
	"fmt"
	"strings"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// writeStatusPage adds a run's public posts to `maintenance status`: where
// its scheduled maintenance stands and each post, cleaned for the terminal.
func writeStatusPage(b *strings.Builder, sp *wfapi.MaintenanceStatusPage) {
	if sp == nil {
		return
	}
	state := "not on the status page yet"
	if sp.PageIncidentID != "" {
		state = "on the status page as " + sp.PageIncidentID + " (" + sp.Status + ")"
		if sp.Shortlink != "" {
			state += " " + sp.Shortlink
		}
	}
	if sp.Pending > 0 {
		state += fmt.Sprintf(", %d post(s) still to go out", sp.Pending)
	}
	fmt.Fprintf(b, "    %s\n", incident.Clean(state))
	for _, e := range sp.Timeline {
		fmt.Fprintf(b, "    %s\n", incident.Clean(e.Text))
	}
}
