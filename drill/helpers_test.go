package drill_test

import (
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// t0 is when the scripted drills start.
var t0 = time.Date(2026, 3, 2, 23, 40, 0, 0, time.UTC)

// at is t0 plus minutes and seconds.
func at(min, sec int) time.Time {
	return t0.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
}

// script builds an incident's state the way the incident workflow does.
type script struct{ inc incident.Incident }

// declared starts a drill incident at t0 with nobody in command: the
// responders have to take the roles.
func declared(sev incident.Severity, security bool) *script {
	return &script{inc: incident.New(incident.Declaration{
		ID: "d1", Title: "DRILL · Something broke", Severity: sev, Security: security,
		Kind: incident.KindDrill, Source: incident.SourceDrill, DeclaredVia: "a drill", DeclaredAt: t0,
	})}
}

func (s *script) role(t time.Time, user string, role incident.Role) *script {
	if role == incident.Commander {
		s.inc.Commander = user
	} else {
		s.inc.Comms = user
	}
	s.inc.Record(t, user, incident.EntryRole, user+" is now "+string(role))
	return s
}

func (s *script) update(t time.Time, status incident.Status, text string) *script {
	s.inc.Updates = append(s.inc.Updates, incident.StatusUpdate{At: t, Author: "U0ALICE", Status: status, Text: text})
	s.inc.Status = status
	if status == incident.Mitigated && s.inc.MitigatedAt.IsZero() {
		s.inc.MitigatedAt = t
	}
	s.inc.Record(t, "U0ALICE", incident.EntryUpdate, string(status)+": "+text)
	return s
}

func (s *script) remind(t time.Time) *script {
	s.inc.Record(t, "", incident.EntryReminder, "a status update is overdue")
	return s
}

func (s *script) severity(t time.Time, to incident.Severity) *script {
	s.inc.SeverityHistory = append(s.inc.SeverityHistory, incident.SeverityChange{At: t, By: "U0ALICE", From: s.inc.Severity, To: to})
	s.inc.Record(t, "U0ALICE", incident.EntrySeverity, "severity changed from "+string(s.inc.Severity)+" to "+string(to))
	s.inc.Severity = to
	return s
}

func (s *script) action(t time.Time, text string) *script {
	s.inc.ActionItems = append(s.inc.ActionItems, incident.ActionItem{Key: "a1", Text: text, At: t, Author: "U0BOB"})
	s.inc.Record(t, "U0BOB", incident.EntryAction, "action item: "+text)
	return s
}

func (s *script) resolve(t time.Time, by string) *script {
	s.inc.Status = incident.Resolved
	s.inc.ResolvedAt = t
	s.inc.ResolvedBy = by
	s.inc.Resolution = "fixed"
	s.inc.Record(t, by, incident.EntryResolved, "resolved: fixed")
	return s
}

func (s *script) note(t time.Time, actor, text string) *script {
	s.inc.Record(t, actor, incident.EntryNote, text)
	return s
}
