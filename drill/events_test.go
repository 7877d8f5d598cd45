package drill_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
)

func happenedAt(t *testing.T, inc *incident.Incident, p *drill.Progress, ev drill.Event) time.Time {
	t.Helper()
	at, ok := drill.Happened(inc, p, ev)
	if !ok {
		return time.Time{}
	}
	return at
}

func TestHappened(t *testing.T) {
	s := declared(incident.Major, false).
		role(at(2, 0), "U0ALICE", incident.Commander).
		severity(at(4, 0), incident.Critical).
		update(at(6, 0), incident.Investigating, "looking").
		role(at(7, 0), "U0BOB", incident.Comms).
		update(at(12, 0), incident.Identified, "found it").
		action(at(14, 0), "add a connection limit").
		update(at(20, 0), incident.Mitigated, "job stopped").
		resolve(at(25, 0), "U0ALICE")
	inc := &s.inc
	p := &drill.Progress{StartedAt: t0, Speed: 1, DraftedAt: at(9, 0),
		Played: map[string]time.Time{"sales-asks": at(11, 0)}}

	for ev, want := range map[drill.Event]time.Time{
		drill.EventAcknowledged:      at(2, 0),
		drill.EventFirstUpdate:       at(6, 0),
		drill.EventRolesAssigned:     at(7, 0),
		"status:investigating":       at(6, 0),
		"status:identified":          at(12, 0),
		"status:mitigated":           at(20, 0),
		"status:monitoring":          {},
		"severity:major":             t0,
		"severity:critical":          at(4, 0),
		"severity:minor":             {},
		drill.EventStatusPageDrafted: at(9, 0),
		drill.EventActionItem:        at(14, 0),
		drill.EventResolved:          at(25, 0),
		"inject:sales-asks":          at(11, 0),
		"inject:other":               {},
		drill.EventKeptPrivate:       {},
		"bogus":                      {},
	} {
		got, ok := drill.Happened(inc, p, ev)
		assert.Equal(t, !want.IsZero(), ok, ev)
		assert.True(t, want.Equal(got), "%s: got %v, want %v", ev, got, want)
	}
}

func TestHappenedAcknowledgedByTheFirstUpdate(t *testing.T) {
	s := declared(incident.Major, false).update(at(3, 0), incident.Investigating, "looking")
	assert.Equal(t, at(3, 0), happenedAt(t, &s.inc, nil, drill.EventAcknowledged))
	assert.True(t, happenedAt(t, &declared(incident.Major, false).inc, nil, drill.EventAcknowledged).IsZero(),
		"the war room being ready is no acknowledgement")
}

func TestHappenedAfterCompaction(t *testing.T) {
	s := declared(incident.Major, false).
		update(at(5, 0), incident.Investigating, "one").
		update(at(10, 0), incident.Investigating, "two").
		update(at(15, 0), incident.Identified, "three").
		update(at(20, 0), incident.Investigating, "four").
		update(at(25, 0), incident.Mitigated, "five")
	s.inc.MitigatedAt = at(25, 0)
	s.inc.Compact(incident.Limits{Updates: 1, UpdateBytes: 1, Timeline: 1, TimelineBytes: 1})
	assert.Equal(t, at(5, 0), happenedAt(t, &s.inc, nil, drill.EventFirstUpdate))
	assert.Equal(t, at(15, 0), happenedAt(t, &s.inc, nil, "status:identified"))
	assert.Equal(t, at(25, 0), happenedAt(t, &s.inc, nil, "status:mitigated"))

	s.inc.Updates = nil // even with no update left, the mitigation is known
	assert.Equal(t, at(25, 0), happenedAt(t, &s.inc, nil, "status:mitigated"))
}

func TestHappenedActionItemWithoutItsEntry(t *testing.T) {
	s := declared(incident.Major, false)
	s.inc.ActionItems = []incident.ActionItem{{Key: "k", Text: "x", At: at(8, 0)}}
	assert.Equal(t, at(8, 0), happenedAt(t, &s.inc, nil, drill.EventActionItem))
}

func TestHappenedKeptPrivate(t *testing.T) {
	sec := &declared(incident.Critical, true).inc
	open := &declared(incident.Critical, false).inc
	ended := &drill.Progress{StartedAt: t0, EndedAt: at(30, 0)}
	drafted := &drill.Progress{StartedAt: t0, EndedAt: at(30, 0), DraftedAt: at(10, 0)}
	running := &drill.Progress{StartedAt: t0}

	assert.Equal(t, at(30, 0), happenedAt(t, sec, ended, drill.EventKeptPrivate))
	assert.True(t, happenedAt(t, sec, drafted, drill.EventKeptPrivate).IsZero(), "a status page draft")
	assert.True(t, happenedAt(t, sec, running, drill.EventKeptPrivate).IsZero(), "not over yet")
	assert.True(t, happenedAt(t, open, ended, drill.EventKeptPrivate).IsZero(), "not a security incident")
}

func TestHappenedNilSafe(t *testing.T) {
	for _, ev := range []drill.Event{drill.EventAcknowledged, drill.EventFirstUpdate, drill.EventRolesAssigned,
		drill.EventStatusPageDrafted, drill.EventActionItem, drill.EventResolved, drill.EventKeptPrivate,
		"status:identified", "severity:critical", "inject:x"} {
		_, ok := drill.Happened(nil, nil, ev)
		assert.False(t, ok, ev)
	}
}

func TestDue(t *testing.T) {
	s := drill.Scenario{Name: "due", Title: "Due", Severity: "major", Injects: []drill.Inject{
		{ID: "start", Kind: drill.InjectMessage, Text: "a"},
		{ID: "timed", Kind: drill.InjectMessage, Text: "b", Trigger: drill.Trigger{At: 8 * time.Minute}},
		{ID: "after", Kind: drill.InjectMessage, Text: "c", Trigger: drill.Trigger{After: drill.EventFirstUpdate, Delay: 20 * time.Minute}},
		{ID: "chain", Kind: drill.InjectMessage, Text: "d", Trigger: drill.Trigger{After: "inject:timed", Delay: 2 * time.Minute}},
		{ID: "plain", Kind: drill.InjectMessage, Text: "e", Trigger: drill.Trigger{After: "status:identified"}},
	}}.Scaled(4)
	inc := &declared(incident.Major, false).inc
	p := &drill.Progress{StartedAt: t0, Speed: 4, Played: map[string]time.Time{}}

	due := func(id string) (time.Time, bool) {
		for _, in := range s.Injects {
			if in.ID == id {
				return s.Due(in, inc, p)
			}
		}
		t.Fatalf("no inject %s", id)
		return time.Time{}, false
	}
	when, ok := due("start")
	assert.True(t, ok)
	assert.Equal(t, t0, when)
	when, ok = due("timed")
	assert.True(t, ok)
	assert.Equal(t, at(2, 0), when, "8m at 4×")
	for _, id := range []string{"after", "chain", "plain"} {
		_, ok = due(id)
		assert.False(t, ok, id)
	}

	inc.Updates = append(inc.Updates, incident.StatusUpdate{At: at(3, 0), Status: incident.Investigating})
	p.Played["timed"] = at(2, 1)
	when, ok = due("after")
	assert.True(t, ok)
	assert.Equal(t, at(8, 0), when, "3m + 20m/4")
	when, ok = due("chain")
	assert.True(t, ok)
	assert.Equal(t, at(2, 31), when, "played at 2:01, plus 2m/4")

	inc.Updates = append(inc.Updates, incident.StatusUpdate{At: at(4, 0), Status: incident.Identified})
	when, ok = due("plain")
	assert.True(t, ok)
	assert.Equal(t, at(4, 0), when)

	_, ok = s.Due(s.Injects[0], inc, nil)
	assert.False(t, ok, "no progress, no drill")
}
