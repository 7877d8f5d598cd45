package insights

import (
	"slices"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// FromIncident is the record of inc as its workflow keeps it in its memo,
// computed from the incident's state alone (WorkflowID is left to the
// caller, who knows it). It is pure and deterministic, so the workflow
// calls it at every milestone.
//
// How each fact is read from the state:
//   - CommanderAt is DeclaredAt when the declaration named a commander (or
//     its declarer leads, as from the Slack form), and otherwise the first
//     "is now commander" role entry of the timeline; CommsAt the first "is
//     now comms" one.
//   - AcknowledgedAt, the end of the time to acknowledge, is the first
//     commander action or the page acknowledged, whichever came first: a
//     commander assigned (CommanderAt), the first status update, or
//     PagerDuty's first acknowledgement of a page. A resolution alone
//     acknowledges nothing: an incident resolved with none of these was
//     never acknowledged.
//   - MitigatedAt is the first status update whose status is mitigated or
//     monitoring (the state keeps the first update of each status however
//     it is compacted), or the state's own MitigatedAt if earlier.
//   - ResolvedAt is set while the incident is resolved.
//   - An update interval runs from the declaration, or from the end of the
//     previous interval, until the next status update (it ended on time)
//     or the next reminder (it ended late: a reminder fires only once the
//     update it asks for is overdue, and the next interval starts with
//     it). So UpdateIntervals is the status updates plus the reminders,
//     and UpdatesOnTime the status updates. An interval still running at
//     the resolution counts neither way.
//   - Updates, Reminders and Escalations count every status update,
//     reminder and escalation, those the state's compaction dropped too.
//
// Compaction drops the oldest timeline entries of a long incident, the
// role entries among them: Carry keeps what an earlier record knew.
func FromIncident(inc incident.Incident) Record {
	d := inc.Declaration
	rec := Record{
		ID:          d.ID,
		Title:       listedTitle(d),
		Severity:    string(inc.Severity),
		Service:     d.Service,
		Source:      string(d.Source),
		Kind:        string(cmpKind(d.Kind)),
		Commander:   inc.Commander,
		Security:    d.Security,
		ChannelID:   inc.ChannelID,
		Channel:     inc.ChannelName,
		DeclaredAt:  utc(d.DeclaredAt),
		Updates:     len(inc.Updates) + inc.OmittedUpdates,
		Reminders:   inc.EntryCount(incident.EntryReminder),
		Escalations: inc.EntryCount(incident.EntryEscalation),
	}
	rec.UpdateIntervals = rec.Updates + rec.Reminders
	rec.UpdatesOnTime = rec.Updates
	if d.Commander != "" {
		rec.CommanderAt = rec.DeclaredAt
	}
	for _, e := range inc.Timeline {
		if e.Kind != incident.EntryRole {
			continue
		}
		switch {
		case strings.HasSuffix(e.Text, " is now "+string(incident.Commander)):
			rec.CommanderAt = incident.Earliest(rec.CommanderAt, utc(e.At))
		case strings.HasSuffix(e.Text, " is now "+string(incident.Comms)):
			rec.CommsAt = incident.Earliest(rec.CommsAt, utc(e.At))
		}
	}
	rec.MitigatedAt = utc(inc.MitigatedAt)
	for _, u := range inc.Updates {
		if u.Status == incident.Mitigated || u.Status == incident.Monitoring {
			rec.MitigatedAt = incident.Earliest(rec.MitigatedAt, utc(u.At))
		}
	}
	rec.AcknowledgedAt = rec.CommanderAt
	if len(inc.Updates) > 0 {
		rec.AcknowledgedAt = incident.Earliest(rec.AcknowledgedAt, utc(inc.Updates[0].At))
	}
	rec.AcknowledgedAt = incident.Earliest(rec.AcknowledgedAt, utc(inc.PageAcknowledgedAt))
	if inc.IsResolved() {
		rec.ResolvedAt = utc(inc.ResolvedAt)
	}
	return rec
}

// Carry is r with the first times an earlier record of the same incident
// (that of the run it continued from) knew and r no longer shows: the
// times of the first commander, spokesperson, acknowledgement and
// mitigation, whose entries compaction may have dropped since.
func (r Record) Carry(earlier Record) Record {
	r.CommanderAt = incident.Earliest(r.CommanderAt, earlier.CommanderAt)
	r.CommsAt = incident.Earliest(r.CommsAt, earlier.CommsAt)
	r.AcknowledgedAt = incident.Earliest(r.AcknowledgedAt, earlier.AcknowledgedAt)
	r.MitigatedAt = incident.Earliest(r.MitigatedAt, earlier.MitigatedAt)
	return r
}

// FromRetrospective is the follow-through st records, as the
// retrospective's workflow keeps it in its memo: the meeting booked and
// when it ends, done, the postmortem issue opened, and every action item
// (those still waiting for their issue too) with the time it was recorded,
// its due date and whether its issue is closed.
func FromRetrospective(st incident.RetroState) Retrospective {
	r := Retrospective{
		MeetingBooked:     st.Booked,
		Done:              st.Done,
		PostmortemWritten: st.Postmortem.Number > 0,
	}
	if st.Booked {
		r.MeetingEnd = utc(st.Meeting.End)
	}
	for _, it := range st.Items {
		r.ActionItems = append(r.ActionItems, actionItem(it.ActionItem, it.Issue.State == "closed"))
	}
	for _, it := range st.Pending {
		r.ActionItems = append(r.ActionItems, actionItem(it, false))
	}
	return r
}

// Equal reports whether r and o record the same follow-through.
func (r Retrospective) Equal(o Retrospective) bool {
	return r.MeetingBooked == o.MeetingBooked && r.MeetingEnd.Equal(o.MeetingEnd) && r.Done == o.Done &&
		r.PostmortemWritten == o.PostmortemWritten &&
		slices.EqualFunc(r.ActionItems, o.ActionItems, func(a, b ActionItem) bool {
			return a.OpenedAt.Equal(b.OpenedAt) && a.Due.Equal(b.Due) && a.Closed == b.Closed
		})
}

// actionItem is it as a record, its due date (YYYY-MM-DD) read as the
// start of that day in UTC.
func actionItem(it incident.ActionItem, closed bool) ActionItem {
	a := ActionItem{OpenedAt: utc(it.At), Closed: closed}
	if due, err := time.Parse(time.DateOnly, it.Due); err == nil {
		a.Due = due
	}
	return a
}

// listedTitle is the title lists show for the incident d declares
// (wfapi.ListedTitle): a security incident's stays in its war room.
func listedTitle(d incident.Declaration) string {
	if d.Security {
		return SecurityTitle
	}
	return incident.Truncate(d.Title, 200)
}

// cmpKind is k, or KindIncident for incidents declared before kinds.
func cmpKind(k incident.Kind) incident.Kind {
	if k == "" {
		return incident.KindIncident
	}
	return k
}
