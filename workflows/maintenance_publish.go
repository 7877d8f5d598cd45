package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// maintenanceSearchKeys are the search attributes a maintenance run keeps
// current (its kind, severity and lead are set by its schedule).
var maintenanceSearchKeys = []temporal.SearchAttributeKeyKeyword{wfapi.SearchStatus, wfapi.SearchChannel}

// publish shows where the window stands in the Temporal Web UI (the current
// details) and in visibility (status and war room).
func (m *maintenanceWorkflow) publish(ctx workflow.Context) {
	workflow.SetCurrentDetails(ctx, m.details())
	m.searched = upsertChanged(ctx, maintenanceSearchKeys, m.searched, []string{string(m.st.Phase), m.st.ChannelID})
}

// details renders the window as markdown for the Web UI.
func (m *maintenanceWorkflow) details() string {
	var b strings.Builder
	st := &m.st
	fmt.Fprintf(&b, "**MAINTENANCE · %s**\n\n%s\n\n", strings.ReplaceAll(string(st.Phase), "_", " "), mdEscaper.Replace(incident.Truncate(m.win.Title, 200)))
	fmt.Fprintf(&b, "- Window: %s to %s\n", st.Start.In(m.loc).Format("Mon 2 Jan 15:04"), incident.Clock(st.End, m.loc))
	fmt.Fprintf(&b, "- Recurrence: %s\n", m.win.Recurrence)
	if m.win.Lead != "" {
		fmt.Fprintf(&b, "- Lead: %s\n", m.win.Lead)
	}
	for _, h := range st.HeadsUps {
		fmt.Fprintf(&b, "- Heads-up %s before: posted in %d channels\n", incident.FormatDuration(h.Before), len(h.Posts))
	}
	if st.IncidentID != "" {
		fmt.Fprintf(&b, "- War room: incident %s %s\n", st.IncidentID, st.ChannelName)
	}
	if !st.EndedAt.IsZero() {
		fmt.Fprintf(&b, "- %s at %s by %s\n", st.Phase, incident.Clock(st.EndedAt, m.loc), orDash(st.EndedBy))
	}
	if st.PromotedTo != "" {
		fmt.Fprintf(&b, "- Promoted to incident %s\n", st.PromotedTo)
	}
	if n := len(st.Notes); n > 0 {
		fmt.Fprintf(&b, "- %d notes; last: %s\n", n, st.Notes[n-1])
	}
	return b.String()
}

// mdEscaper keeps user text from turning into links or markup in the Web
// UI's markdown.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "#", `\#`)

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
