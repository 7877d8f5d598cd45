package drill

import (
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
)

// Happened says when ev first happened in the drill whose incident is inc
// and whose progress is p, and false when it hasn't (yet). It reads:
//
//   - acknowledged: the first thing a person did in the drill after its
//     start (a timeline entry with an actor: a role taken, an update, a
//     severity change, an action item, a hint asked for, a message
//     marked), not inc.AcknowledgedAt (when incidentflow had the room
//     ready) nor insights' (which counts a commander named in the
//     declaration, as a drill's always is, at once).
//   - first_update: the earliest status update in inc.Updates. Compaction
//     always keeps the first update of each status, so the first update
//     of all survives it.
//   - roles_assigned: the later of insights' CommanderAt and CommsAt, once
//     both are set.
//   - status:<s>: the earliest update that set s (compaction keeps it);
//     for mitigated, inc.MitigatedAt too if earlier.
//   - severity:<s>: the declaration (DeclaredAt, or the first timeline
//     entry's time when that is zero) when declared at s, else the first
//     severity change to s (SeverityHistory, never compacted).
//   - statuspage_drafted: p.DraftedAt.
//   - action_item: the earliest of the first "action" timeline entry and
//     the first action item recorded.
//   - resolved: inc.ResolvedAt.
//   - inject:<id>: p.Played[id].
//   - kept_private: p.EndedAt, once the drill has ended, when the
//     incident is a security one and nobody drafted a status page post.
//
// It is pure and deterministic (workflow code may call it); a nil inc or
// p counts as nothing having happened.
func Happened(inc *incident.Incident, p *Progress, ev Event) (time.Time, bool) {
	if inc == nil {
		inc = &incident.Incident{}
	}
	if p == nil {
		p = &Progress{}
	}
	t := happened(inc, p, ev)
	return t, !t.IsZero()
}

// happened is Happened's time, zero when ev hasn't happened.
func happened(inc *incident.Incident, p *Progress, ev Event) time.Time {
	switch ev {
	case EventAcknowledged:
		var first time.Time
		for _, e := range inc.Timeline {
			if e.Actor != "" && e.Kind != incident.EntryDeclared && !e.At.Before(p.StartedAt) {
				first = incident.Earliest(first, e.At)
			}
		}
		return first
	case EventFirstUpdate:
		var first time.Time
		for _, u := range inc.Updates {
			first = incident.Earliest(first, u.At)
		}
		return first
	case EventRolesAssigned:
		rec := insights.FromIncident(*inc)
		if rec.CommanderAt.IsZero() || rec.CommsAt.IsZero() {
			return time.Time{}
		}
		return latest(rec.CommanderAt, rec.CommsAt)
	case EventStatusPageDrafted:
		return p.DraftedAt
	case EventActionItem:
		var first time.Time
		for _, e := range inc.Timeline {
			if e.Kind == incident.EntryAction {
				first = incident.Earliest(first, e.At)
			}
		}
		for _, it := range inc.ActionItems {
			first = incident.Earliest(first, it.At)
		}
		return first
	case EventResolved:
		return inc.ResolvedAt
	case EventKeptPrivate:
		if p.EndedAt.IsZero() || !inc.Declaration.Security || !p.DraftedAt.IsZero() {
			return time.Time{}
		}
		return p.EndedAt
	}
	kind, arg := ev.split()
	switch kind {
	case eventStatus:
		var first time.Time
		for _, u := range inc.Updates {
			if string(u.Status) == arg {
				first = incident.Earliest(first, u.At)
			}
		}
		if arg == string(incident.Mitigated) {
			first = incident.Earliest(first, inc.MitigatedAt)
		}
		return first
	case eventSeverity:
		if arg == "" {
			return time.Time{}
		}
		if string(inc.Declaration.Severity) == arg {
			if at := inc.Declaration.DeclaredAt; !at.IsZero() {
				return at
			}
			if len(inc.Timeline) > 0 && !inc.Timeline[0].At.IsZero() {
				return inc.Timeline[0].At
			}
			return p.StartedAt
		}
		for _, c := range inc.SeverityHistory {
			if string(c.To) == arg && !c.At.IsZero() {
				return c.At
			}
		}
	case eventInject:
		return p.Played[arg]
	}
	return time.Time{}
}

// Due says when the inject i of the scenario s (already Scaled) is due to
// play: p.StartedAt + At (+ Delay) when it follows no event, or Delay
// after its After event happened (Happened); false while that event
// hasn't. It doesn't look at whether i was played already (p.Played). Pure
// and deterministic: the workflow calls it in its await conditions.
func (s Scenario) Due(i Inject, inc *incident.Incident, p *Progress) (time.Time, bool) {
	if p == nil {
		return time.Time{}, false
	}
	t := i.Trigger
	if t.After == "" {
		return p.StartedAt.Add(t.At + t.Delay), true
	}
	at, ok := Happened(inc, p, t.After)
	if !ok {
		return time.Time{}, false
	}
	return at.Add(t.Delay), true
}

// latest is the later of a and b.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
