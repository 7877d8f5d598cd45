package insights_test

import (
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
)

var fromT0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func minutes(m int) time.Time { return fromT0.Add(time.Duration(m) * time.Minute) }

// alertIncident is an incident an alert declared: no declarer, no
// commander.
func alertIncident() incident.Incident {
	return incident.New(incident.Declaration{ID: "a1", Title: "High error rate", Severity: incident.Major,
		Service: "checkout", Source: incident.SourceAlert, DeclaredAt: fromT0})
}

func TestFromIncidentNeverAcknowledged(t *testing.T) {
	inc := alertIncident()
	inc.Record(minutes(30), "", incident.EntryReminder, "reminder 1 in a row")
	inc.Record(minutes(60), "", incident.EntryReminder, "reminder 2 in a row")
	inc.Record(minutes(60), "", incident.EntryEscalation, "escalated")
	inc.Status, inc.ResolvedAt = incident.Resolved, minutes(70)
	rec := insights.FromIncident(inc)
	if !rec.AcknowledgedAt.IsZero() || !rec.CommanderAt.IsZero() || !rec.MitigatedAt.IsZero() {
		t.Errorf("an incident nobody acted on: acknowledged %v, commander %v, mitigated %v", rec.AcknowledgedAt, rec.CommanderAt, rec.MitigatedAt)
	}
	if rec.ResolvedAt != minutes(70) || rec.Reminders != 2 || rec.Escalations != 1 || rec.UpdateIntervals != 2 || rec.UpdatesOnTime != 0 {
		t.Errorf("record %+v", rec)
	}
	if rec.Kind != "incident" || rec.Source != "alert" || rec.Service != "checkout" || rec.Severity != "major" {
		t.Errorf("record %+v", rec)
	}
}

func TestFromIncidentAcknowledgedByTheFirstOfCommanderUpdateAndPage(t *testing.T) {
	for name, c := range map[string]struct {
		edit func(*incident.Incident)
		want time.Time
	}{
		"commander": {func(inc *incident.Incident) {
			inc.Commander = "U0DAN"
			inc.Record(minutes(4), "U0BOB", incident.EntryRole, "U0DAN is now commander")
			inc.Updates = append(inc.Updates, incident.StatusUpdate{At: minutes(6), Status: incident.Identified})
		}, minutes(4)},
		"update": {func(inc *incident.Incident) {
			inc.Updates = append(inc.Updates, incident.StatusUpdate{At: minutes(6), Status: incident.Identified})
			inc.Record(minutes(8), "U0BOB", incident.EntryRole, "U0DAN is now commander")
		}, minutes(6)},
		"page": {func(inc *incident.Incident) {
			inc.PageAcknowledgedAt = minutes(2)
			inc.Updates = append(inc.Updates, incident.StatusUpdate{At: minutes(6), Status: incident.Identified})
		}, minutes(2)},
		"comms alone is no acknowledgement": {func(inc *incident.Incident) {
			inc.Record(minutes(3), "U0BOB", incident.EntryRole, "U0CAROL is now comms")
		}, time.Time{}},
	} {
		t.Run(name, func(t *testing.T) {
			inc := alertIncident()
			c.edit(&inc)
			if got := insights.FromIncident(inc).AcknowledgedAt; !got.Equal(c.want) {
				t.Errorf("acknowledged at %v, want %v", got, c.want)
			}
		})
	}
}

func TestFromIncidentDeclaredWithACommander(t *testing.T) {
	inc := incident.New(incident.Declaration{ID: "d1", Title: "Checkout down", Severity: incident.Critical,
		Declarer: "U0ALICE", Source: incident.SourceSlack, DeclaredAt: fromT0.In(time.FixedZone("CET", 3600))})
	inc.Record(minutes(2), "U0ALICE", incident.EntryRole, "U0CAROL is now comms")
	inc.Record(minutes(5), "U0ALICE", incident.EntryRole, "U0BOB is now commander")
	rec := insights.FromIncident(inc)
	if rec.DeclaredAt != fromT0 || rec.CommanderAt != fromT0 || rec.AcknowledgedAt != fromT0 || rec.CommsAt != minutes(2) {
		t.Errorf("declared %v, commander %v, acknowledged %v, comms %v", rec.DeclaredAt, rec.CommanderAt, rec.AcknowledgedAt, rec.CommsAt)
	}
	if rec.DeclaredAt.Location() != time.UTC {
		t.Errorf("declared at %v, want UTC", rec.DeclaredAt)
	}
}

func TestFromIncidentMitigatedByMonitoringOrMitigated(t *testing.T) {
	inc := alertIncident()
	inc.Updates = []incident.StatusUpdate{
		{At: minutes(5), Status: incident.Identified}, {At: minutes(9), Status: incident.Monitoring}, {At: minutes(12), Status: incident.Mitigated},
	}
	inc.MitigatedAt = minutes(12)
	rec := insights.FromIncident(inc)
	if rec.MitigatedAt != minutes(9) {
		t.Errorf("mitigated at %v, want the first monitoring update", rec.MitigatedAt)
	}
	if rec.Updates != 3 || rec.UpdateIntervals != 3 || rec.UpdatesOnTime != 3 || !rec.ResolvedAt.IsZero() {
		t.Errorf("record %+v: an open incident, three updates on time", rec)
	}
}

func TestFromIncidentResolvedWithinAMinute(t *testing.T) {
	inc := incident.New(incident.Declaration{ID: "q1", Title: "Blip", Severity: incident.Minor, Declarer: "U0ALICE", DeclaredAt: fromT0})
	inc.Status, inc.ResolvedAt = incident.Resolved, fromT0.Add(40*time.Second)
	rec := insights.FromIncident(inc)
	if rec.ResolvedAt != fromT0.Add(40*time.Second) || rec.UpdateIntervals != 0 || rec.AcknowledgedAt != fromT0 {
		t.Errorf("record %+v", rec)
	}
}

func TestFromIncidentCountsWhatCompactionDropped(t *testing.T) {
	inc := alertIncident()
	inc.Record(minutes(1), "U0BOB", incident.EntryRole, "U0DAN is now commander")
	for i := range 40 {
		at := minutes(2 + i)
		inc.Updates = append(inc.Updates, incident.StatusUpdate{At: at, Status: incident.Identified, Text: "still on it"})
		inc.Record(at, "U0DAN", incident.EntryUpdate, "still on it")
		inc.Record(at, "", incident.EntryReminder, "reminder")
	}
	before := insights.FromIncident(inc)
	inc.Compact(incident.Limits{Updates: 5, UpdateBytes: 1 << 20, Timeline: 10, TimelineBytes: 1 << 20})
	after := insights.FromIncident(inc)
	if after.Updates != 40 || after.Reminders != 40 || after.UpdateIntervals != 80 || after.UpdatesOnTime != 40 {
		t.Errorf("after compaction %+v, want every update and reminder counted", after)
	}
	if !after.CommanderAt.IsZero() {
		t.Fatalf("the test wants compaction to drop the role entry; commander at %v", after.CommanderAt)
	}
	carried := after.Carry(before)
	if carried.CommanderAt != minutes(1) || carried.AcknowledgedAt != minutes(1) {
		t.Errorf("carried commander %v, acknowledged %v, want %v", carried.CommanderAt, carried.AcknowledgedAt, minutes(1))
	}
	if carried != before {
		t.Errorf("carried record\n%+v\nwant the record before compaction\n%+v", carried, before)
	}
}

func TestFromIncidentHidesASecurityIncidentsTitle(t *testing.T) {
	inc := incident.New(incident.Declaration{ID: "s1", Title: "Leaked keys", Severity: incident.Critical, Security: true, DeclaredAt: fromT0})
	if rec := insights.FromIncident(inc); rec.Title != "security incident" || !rec.Security {
		t.Errorf("record %+v", rec)
	}
}

func TestFromRetrospective(t *testing.T) {
	st := incident.RetroState{
		Booked:     true,
		Meeting:    incident.RetroSlot{Start: minutes(60), End: minutes(120)},
		Postmortem: incident.RetroIssue{Number: 1, State: "open"},
		Done:       true,
		Items: []incident.RetroActionItem{
			{ActionItem: incident.ActionItem{At: minutes(10), Due: "2026-03-20"}, Issue: incident.RetroIssue{Number: 2, State: "closed"}},
			{ActionItem: incident.ActionItem{At: minutes(11), Due: "soon"}, Issue: incident.RetroIssue{Number: 3, State: "open"}},
		},
		Pending: []incident.ActionItem{{At: minutes(200)}},
	}
	got := insights.FromRetrospective(st)
	want := insights.Retrospective{
		MeetingBooked: true, MeetingEnd: minutes(120), Done: true, PostmortemWritten: true,
		ActionItems: []insights.ActionItem{
			{OpenedAt: minutes(10), Due: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), Closed: true},
			{OpenedAt: minutes(11)},
			{OpenedAt: minutes(200)},
		},
	}
	if !got.Equal(want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	st.Booked, st.Postmortem = false, incident.RetroIssue{}
	if got := insights.FromRetrospective(st); got.MeetingBooked || !got.MeetingEnd.IsZero() || got.PostmortemWritten {
		t.Errorf("unbooked, no postmortem: %+v", got)
	}
	if want.Equal(insights.FromRetrospective(st)) {
		t.Error("Equal ignores the meeting")
	}
}
