package drill

import (
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// Start is who starts a drill of a scenario, and how.
type Start struct {
	// ID is the drill's incident ID.
	ID string
	// Declarer started it (a Slack user ID), empty for a schedule;
	// DeclaredVia then says how ("schedule drill-schedule-…", "the CLI").
	Declarer    string
	DeclaredVia string
	// Commander plays the commander (default: the declarer).
	Commander string
	// OriginChannel is where it was started from, for the acknowledgement.
	OriginChannel string
	At            time.Time
}

// Declaration is the declaration of a drill of s: kind and source drill,
// the scenario's title, summary, severity, service and security.
func (s Scenario) Declaration(st Start) incident.Declaration {
	return incident.Declaration{
		ID: st.ID, Title: s.Title, Summary: s.Summary, Severity: s.Severity, Service: s.Service,
		Security: s.Security, Commander: st.Commander, Declarer: st.Declarer, DeclaredVia: st.DeclaredVia,
		OriginChannel: st.OriginChannel, DeclaredAt: st.At.UTC(),
		Kind: incident.KindDrill, Source: incident.SourceDrill,
	}
}
