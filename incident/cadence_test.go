package incident_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/incidentflow/incidentflow/incident"
)

func TestNextUpdateDueFollowsTheSeverityUnlessOverridden(t *testing.T) {
	p := incident.DefaultProcess()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	assert.Equal(t, at.Add(15*time.Minute), p.NextUpdateDue(incident.Critical, at, 0))
	assert.Equal(t, at.Add(30*time.Minute), p.NextUpdateDue(incident.Major, at, 0))
	assert.Equal(t, at.Add(30*time.Minute), p.NextUpdateDue("unknown", at, 0))
	assert.Equal(t, at.Add(5*time.Minute), p.NextUpdateDue(incident.Critical, at, 5*time.Minute))
}

func TestEscalationComesOncePerStreak(t *testing.T) {
	p := incident.DefaultProcess()
	p.EscalateAfter = 0
	assert.Equal(t, incident.DefaultEscalateAfter, p.EscalationThreshold())
	assert.Equal(t, []bool{false, true, false, false}, []bool{
		p.ShouldEscalate(1), p.ShouldEscalate(2), p.ShouldEscalate(3), p.ShouldEscalate(4)})
	p.EscalateAfter = 3
	assert.True(t, p.ShouldEscalate(3))
	assert.False(t, p.ShouldEscalate(2))
}

func TestEscalationMention(t *testing.T) {
	for group, want := range map[string]string{
		"":            "",
		"S0ONCALL":    "<!subteam^S0ONCALL>",
		"U0ALICE":     "<@U0ALICE>",
		"W0ALICE":     "<@W0ALICE>",
		"@oncall":     "@oncall",
		"<!channel>":  "&lt;!channel&gt;",
		"Sre-oncall":  "Sre-oncall",
		" S0ONCALL  ": "<!subteam^S0ONCALL>",
	} {
		p := incident.Process{EscalationGroup: group}
		assert.Equal(t, want, p.EscalationMention(), group)
	}
}

func TestMentionOnlyMentionsUserIDs(t *testing.T) {
	assert.Equal(t, "<@U0BOB>", incident.Mention("U0BOB"))
	assert.Equal(t, "bob ∗the builder∗", incident.Mention("bob *the builder*"))
	assert.Equal(t, "&lt;@U0BOB&gt;", incident.Mention("<@U0BOB>"))
}
