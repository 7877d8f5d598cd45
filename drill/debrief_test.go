package drill_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
)

func TestDebriefPerfectRun(t *testing.T) {
	s, inc, p := perfectRun(t)
	inc.Record(at(8, 0), "U0CAROL", incident.EntryNote, "<script>alert(1)</script> <!channel> *bold* @here")
	sc := drill.Grade(s, inc, p, 15*time.Minute)
	slack, md := drill.Debrief(s, sc, inc, p, time.UTC)

	for _, want := range []string{
		"*Drill debrief: Application database refusing connections — 11/11 points*",
		"Scenario `database-outage` · real time · started 23:40 UTC",
		"Resolved by <@U0ALICE> after 35m.",
		"• Time to acknowledge: 2m\n",
		"• Time to first update: 6m (updates due every 15m)",
		"• Time to assign a commander and a comms lead: 3m",
		"• Updates on time: 3 of 3",
		"• Hints used: 1 of 6",
		"• ✅ Acknowledge the incident (within 5m) — at +02:00",
		"• ✅ Resolve the incident — at +35:00",
		"+00:00  declared major drill: DRILL · Something broke",
		"+02:00  <@U0ALICE> U0ALICE is now commander",
		"+35:00  <@U0ALICE> resolved: fixed",
	} {
		assert.Contains(t, slack, want)
	}
	assert.NotContains(t, slack, "<script>")
	assert.NotContains(t, slack, "<!channel>")
	assert.Contains(t, slack, "&lt;script&gt;alert(1)&lt;/script&gt; &lt;!channel&gt; ∗bold∗")

	for _, want := range []string{
		"## Drill debrief: Application database refusing connections — 11/11 points",
		"Resolved by `U0ALICE` after 35m.",
		"- Updates on time: 3 of 3",
		"- ✅ Post the first status update (within 15m) — at +06:00",
		"- `+02:00` `U0ALICE` U0ALICE is now commander",
		"- `+08:00` `U0CAROL` &lt;script&gt;alert(1)&lt;/script&gt;",
	} {
		assert.Contains(t, md, want)
	}
	assert.NotContains(t, md, "<script>")
	assert.NotContains(t, md, "<@")
	assert.NotContains(t, md, " @here", "the mention is defused")
}

func TestDebriefMissesAndTimeout(t *testing.T) {
	s := builtIn(t, "bad-deploy").Scaled(2)
	run := declared(incident.Major, false).
		role(at(1, 0), "U0ALICE", incident.Commander).
		remind(at(5, 0)).
		update(at(7, 5), incident.Investigating, "checkout 500s")
	p := drill.Progress{StartedAt: t0, Speed: 2, EndedAt: at(22, 30), TimedOut: true}
	sc := drill.Grade(s, &run.inc, p, 15*time.Minute)
	slack, md := drill.Debrief(s, sc, &run.inc, p, time.UTC)

	for _, out := range []string{slack, md} {
		assert.Contains(t, out, "Timed out after 22m 30s")
		assert.Contains(t, out, "2× speed")
		assert.Contains(t, out, "Time to assign a commander and a comms lead: never")
		assert.Contains(t, out, "Updates on time: 1 of 2")
		assert.Contains(t, out, "Hints used: 0 of 6")
		assert.Contains(t, out, "❌ Post the first status update (within 5m) — at +07:05, too late")
		assert.Contains(t, out, "❌ Resolve the incident — never")
		assert.Contains(t, out, fmt.Sprintf("— %d/%d points", sc.Points, sc.MaxPoints))
	}
}

func TestDebriefCutsTheStory(t *testing.T) {
	s, inc, p := perfectRun(t)
	huge := strings.Repeat("<&>", 5000)
	for i := range 100 {
		inc.Record(at(20, i), "U0DAVE", incident.EntryNote, huge)
	}
	sc := drill.Grade(s, inc, p, 15*time.Minute)
	slack, md := drill.Debrief(s, sc, inc, p, nil)
	for _, out := range []string{slack, md} {
		assert.LessOrEqual(t, len(out), drill.MaxDebrief)
		story := out[strings.Index(out, "What happened"):]
		lines := strings.Count(story, "\n")
		assert.LessOrEqual(t, lines, 42, "at most 40 lines of story")
		assert.True(t, strings.Contains(story, "… 69 more"), "108 timeline entries (8, and 100 notes), 39 shown")
	}
}

func TestHint(t *testing.T) {
	s := drill.Scenario{Facts: []string{"one", "two"}}
	h, ok := s.Hint(0)
	assert.True(t, ok)
	assert.Equal(t, "one", h)
	h, ok = s.Hint(1)
	assert.True(t, ok)
	assert.Equal(t, "two", h)
	_, ok = s.Hint(2)
	assert.False(t, ok)
	_, ok = s.Hint(-1)
	assert.False(t, ok)
}
