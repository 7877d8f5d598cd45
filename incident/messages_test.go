package incident_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/incidentflow/incidentflow/incident"
)

var declared = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// hostileIncident is an open incident whose texts try to ping and format.
func hostileIncident() incident.Incident {
	inc := incident.New(incident.Declaration{
		ID: "abc123", Title: "<!channel> *checkout* down", Summary: "see <https://evil|here> ~now~",
		Severity: incident.Critical, Declarer: "U0ALICE", DeclaredAt: declared, Service: "checkout",
	})
	inc.ChannelID = "C0WAR"
	inc.NextUpdateBy = declared.Add(15 * time.Minute)
	return inc
}

func TestMessagesEscapeUserText(t *testing.T) {
	inc := hostileIncident()
	p := incident.DefaultProcess()
	u := incident.StatusUpdate{At: declared, Author: "U0BOB", Status: incident.Identified, Text: "<@U0CAROL> `rm -rf`",
		NextUpdateBy: declared.Add(15 * time.Minute)}
	for name, text := range map[string]string{
		"ack":          incident.AckText(&inc),
		"announcement": incident.AnnouncementText(&inc),
		"kickoff":      incident.KickoffText(&inc, &p),
		"update":       incident.UpdateText(u, time.UTC),
		"broadcast":    incident.BroadcastText(&inc, u, time.UTC),
	} {
		assert.NotContains(t, text, "<!channel>", name)
		assert.NotContains(t, text, "<@U0CAROL>", name)
		assert.NotContains(t, text, "<https://evil", name)
		assert.NotContains(t, text, "*checkout*", name)
		assert.NotContains(t, text, "`rm", name)
	}
}

func TestKickoffSaysWhoAndWhen(t *testing.T) {
	inc := hostileIncident()
	p := incident.DefaultProcess()
	text := incident.KickoffText(&inc, &p)
	assert.Contains(t, text, "CRITICAL incident: *&lt;!channel&gt; ∗checkout∗ down*")
	assert.Contains(t, text, "*Commander:* <@U0ALICE> · *Comms:* unassigned · *Service:* checkout")
	assert.Contains(t, text, "Declared by <@U0ALICE> at 10:00 UTC.")
	assert.Contains(t, text, "every 15m; the topic says when the next is due.")
	assert.NotContains(t, text, "10:15", "nothing in it goes stale by itself")
}

func TestSecurityAnnouncementsSayOnlyWhoToContact(t *testing.T) {
	inc := hostileIncident()
	inc.Declaration.Security = true
	inc.Status = incident.Resolved
	inc.ResolvedAt = declared.Add(2 * time.Hour)
	inc.Resolution = "rotated the leaked key"
	for _, text := range []string{incident.AnnouncementText(&inc), incident.ResolvedAnnouncementText(&inc)} {
		assert.NotContains(t, text, "checkout")
		assert.NotContains(t, text, "C0WAR")
		assert.NotContains(t, text, "leaked")
	}
	assert.Contains(t, incident.AnnouncementText(&inc), "Contact <@U0ALICE>")
	assert.Equal(t, ":white_check_mark: The security incident is resolved (after 2h).", incident.ResolvedAnnouncementText(&inc))
}

func TestRemindersAndEscalations(t *testing.T) {
	inc := hostileIncident()
	inc.Comms = "U0CAROL"
	inc.Updates = []incident.StatusUpdate{{At: declared.Add(5 * time.Minute)}}
	assert.Equal(t, ":alarm_clock: <@U0ALICE> <@U0CAROL> a status update is due (the last was at 10:05 UTC). "+
		"Post one with the *Post update* button; the next reminder comes at 10:15 UTC.", incident.ReminderText(&inc, time.UTC))
	assert.True(t, strings.HasPrefix(incident.EscalationText(&inc, "<!subteam^S1>", 2), ":sos: <!subteam^S1> "))
	assert.Contains(t, incident.EscalationText(&inc, "", 2), ":sos: <@U0ALICE>")
	assert.Contains(t, incident.EscalationDMText(&inc, 2), "missed 2 status updates in a row")
}

// cliIncident is an incident declared from the CLI with no Slack identity
// and no commander.
func cliIncident() incident.Incident {
	inc := incident.New(incident.Declaration{
		ID: "cli123", Title: "Checkout is down", Severity: incident.Critical,
		DeclaredVia: "the CLI on host <!here>-box", DeclaredAt: declared,
	})
	inc.ChannelID = "C0WAR"
	inc.NextUpdateBy = declared.Add(15 * time.Minute)
	return inc
}

// TestTextsWithoutACommanderSaySo: an incident declared without a
// commander and without a Slack declarer says so plainly, names nobody in
// its reminders and escalations, and attributes the declaration to how it
// was made, never to a person.
func TestTextsWithoutACommanderSaySo(t *testing.T) {
	inc := cliIncident()
	p := incident.DefaultProcess()
	kickoff := incident.KickoffText(&inc, &p)
	assert.Contains(t, kickoff, "*Commander:* no commander yet — `/incident lead @you` · *Comms:* unassigned\n")
	assert.Contains(t, kickoff, "\nDeclared via the CLI on host &lt;!here&gt;-box at 10:00 UTC. Post a status update every 15m")
	assert.NotContains(t, kickoff, "unassigned at")
	assert.Equal(t, ":rotating_light: CRITICAL incident: *Checkout is down*\nCommander: no commander yet · War room: <#C0WAR>",
		incident.AnnouncementText(&inc))
	assert.Equal(t, ":white_check_mark: Declared CRITICAL incident: *Checkout is down* (incident `cli123`). War room: <#C0WAR>. "+
		"Commander: no commander yet — `/incident lead @you`.", incident.AckText(&inc))
	assert.Equal(t, ":alarm_clock: A status update is due (none yet), and this incident has no commander yet: whoever leads it, "+
		"take command with `/incident lead @you` and post the update with the *Post update* button. The next reminder comes at 10:15 UTC.",
		incident.ReminderText(&inc, time.UTC))
	assert.Equal(t, ":sos: This incident has had no status update through 3 reminders in a row, and it has no commander: "+
		"take command with `/incident lead @you` and post an update.", incident.EscalationText(&inc, "", 3))

	inc.Comms = "U0CAROL"
	assert.True(t, strings.HasPrefix(incident.ReminderText(&inc, time.UTC),
		":alarm_clock: <@U0CAROL> a status update is due (none yet), and this incident has no commander yet:"))
	inc.Declaration.Security = true
	assert.Equal(t, ":lock: A security incident was declared; it has no commander yet. "+
		"If you have information about it, keep it out of this channel and tell your security team.", incident.AnnouncementText(&inc))

	inc.Declaration.DeclaredVia = ""
	assert.Contains(t, incident.KickoffText(&inc, &p), "\nDeclared at 10:00 UTC.")
}

func TestResolvedTextGivesTheDurations(t *testing.T) {
	inc := hostileIncident()
	inc.AcknowledgedAt = declared.Add(4 * time.Second)
	inc.MitigatedAt = declared.Add(40 * time.Minute)
	inc.Status, inc.ResolvedAt, inc.ResolvedBy, inc.Resolution = incident.Resolved, declared.Add(2*time.Hour+10*time.Minute), "U0BOB", "rolled *back*"
	assert.Equal(t, ":white_check_mark: *Resolved* by <@U0BOB> at 12:10 UTC\nrolled ∗back∗\n"+
		"Acknowledged in 4s · mitigated in 40m · resolved in 2h 10m.", incident.ResolvedText(&inc, time.UTC))
	assert.Contains(t, incident.ResolvedAnnouncementText(&inc), "Resolved after 2h 10m: CRITICAL incident")
}

func TestMessagesKeepWhatAResponderMayType(t *testing.T) {
	inc := hostileIncident()
	inc.Declaration.Summary = strings.Repeat("é", incident.MaxText)
	p := incident.DefaultProcess()
	assert.Contains(t, incident.KickoffText(&inc, &p), "\n"+inc.Declaration.Summary+"\n", "the longest summary is shown whole")
	u := incident.StatusUpdate{Text: strings.Repeat("x", incident.MaxText)}
	assert.Contains(t, incident.UpdateText(u, time.UTC), "\n"+u.Text+"\n", "the longest update is shown whole")

	// Texts from before the bounds (or past them) are cut to as many
	// characters, escaped after the cut.
	inc.Declaration.Title = strings.Repeat("<", 5000)
	u.Text = strings.Repeat("&", 2*incident.MaxText)
	update := incident.BroadcastText(&inc, u, time.UTC)
	assert.Contains(t, update, "\n"+strings.Repeat("&amp;", incident.MaxText-1)+"…\n")
	assert.NotContains(t, update, strings.Repeat("&amp;", incident.MaxText))
	assert.Contains(t, update, "*"+strings.Repeat("&lt;", 199)+"…*", "a title keeps 200 characters")
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 45 * time.Second: "45s", 15 * time.Minute: "15m", 2 * time.Hour: "2h",
		2*time.Hour + 10*time.Minute: "2h 10m", 3*24*time.Hour + 4*time.Hour: "3d 4h", 30 * 24 * time.Hour: "30d",
	} {
		assert.Equal(t, want, incident.FormatDuration(d))
	}
}

func TestDetailsForTheWebUI(t *testing.T) {
	inc := hostileIncident()
	inc.ChannelName = "inc-checkout"
	inc.MissedReminders = 1
	inc.Updates = []incident.StatusUpdate{{At: declared, Status: incident.Identified, Text: "[click](https://evil)"}}
	md := incident.Details(&inc, time.UTC)
	assert.Contains(t, md, "**CRITICAL incident · investigating**")
	assert.Contains(t, md, `\<!channel\> \*checkout\* down`)
	assert.Contains(t, md, "- War room: #inc-checkout (C0WAR)")
	assert.Contains(t, md, "- Next update by 10:15 UTC (1 reminders unanswered)")
	assert.Contains(t, md, `\[click\](https://evil)`)

	inc.Declaration.Security = true
	md = incident.Details(&inc, time.UTC)
	assert.NotContains(t, md, "checkout\\*")
	assert.NotContains(t, md, "click")
	assert.Contains(t, md, "Security incident")
}

func TestResolvedTextSaysWhenNobodyRecordedTheMitigation(t *testing.T) {
	declared := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	inc := incident.New(incident.Declaration{ID: "x", Title: "t", Severity: incident.Major, DeclaredAt: declared})
	inc.AcknowledgedAt, inc.ResolvedAt, inc.ResolvedBy = declared.Add(time.Minute), declared.Add(time.Hour), "U0BOB"
	got := incident.ResolvedText(&inc, time.UTC)
	if !strings.Contains(got, "Acknowledged in 1m · mitigation not recorded · resolved in 1h") {
		t.Errorf("without a mitigation: %q", got)
	}
	inc.MitigatedAt = declared.Add(20 * time.Minute)
	if got := incident.ResolvedText(&inc, time.UTC); !strings.Contains(got, "· mitigated in 20m ·") {
		t.Errorf("with a mitigation: %q", got)
	}
}
