package incident_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/incident"
)

func TestCheckTextCountsCharactersAndSaysWhatToDo(t *testing.T) {
	assert.NoError(t, incident.CheckText("the status update", strings.Repeat("é", incident.MaxText), incident.MaxText),
		"3,000 two-byte characters are 3,000 characters, as Slack counts them")
	assert.NoError(t, incident.CheckText("the status update", "", incident.MaxText))

	for _, c := range []struct {
		field string
		text  string
		max   int
		want  string
	}{
		{"the status update", strings.Repeat("<", 120000), incident.MaxText,
			"the status update is 120,000 characters; incidentflow keeps at most 3,000 — shorten it or link to a document"},
		{"the title", strings.Repeat("é", incident.MaxTitle+1), incident.MaxTitle,
			"the title is 151 characters; incidentflow keeps at most 150 — shorten it and put the details in the summary"},
		{"the author", strings.Repeat("x", 1234567), incident.MaxName,
			"the author is 1,234,567 characters; incidentflow keeps at most 100 — shorten it"},
	} {
		assert.EqualError(t, incident.CheckText(c.field, c.text, c.max), c.want)
	}
	assert.EqualError(t, incident.CheckName("the owner", strings.Repeat("o", 101)),
		"the owner is 101 characters; incidentflow keeps at most 100 — shorten it")
}

// boundedDeclaration fills every field of a declaration to its bound.
func boundedDeclaration() incident.Declaration {
	name := strings.Repeat("<", incident.MaxName)
	return incident.Declaration{
		ID: strings.Repeat("a", incident.MaxName), Title: strings.Repeat("<", incident.MaxTitle),
		Summary: strings.Repeat("<", incident.MaxText), Severity: incident.Severity(name), Service: name,
		Commander: name, Declarer: name, DeclaredVia: name, Kind: incident.Kind(name), OriginChannel: name,
		SourceMessage: strings.Repeat("<", incident.MaxLink), Source: incident.Source(name),
		AlertsText: strings.Repeat("<", incident.MaxAlertsText), AlertsMarkdown: strings.Repeat("<", incident.MaxAlertsText),
		AlertGroup: name,
	}
}

func TestCheckDeclarationBoundsEveryField(t *testing.T) {
	require.NoError(t, incident.CheckDeclaration(boundedDeclaration()))

	for _, c := range []struct {
		over func(*incident.Declaration)
		want string
	}{
		{func(d *incident.Declaration) { d.Title = " \n " }, "an incident needs a title: say what is broken in a few words"},
		{func(d *incident.Declaration) { d.ID += "a" }, "the incident ID is 101 characters"},
		{func(d *incident.Declaration) { d.Title += "x" }, "the title is 151 characters; incidentflow keeps at most 150 — shorten it and put the details in the summary"},
		{func(d *incident.Declaration) { d.Summary += "x" }, "the summary is 3,001 characters; incidentflow keeps at most 3,000 — shorten it or link to a document"},
		{func(d *incident.Declaration) { d.Severity += "x" }, "the severity is 101 characters"},
		{func(d *incident.Declaration) { d.Service += "x" }, "the service is 101 characters"},
		{func(d *incident.Declaration) { d.Commander += "x" }, "the commander is 101 characters"},
		{func(d *incident.Declaration) { d.Declarer += "x" }, "the declarer is 101 characters"},
		{func(d *incident.Declaration) { d.DeclaredVia += "x" }, "the declared-via text is 101 characters"},
		{func(d *incident.Declaration) { d.Kind += "x" }, "the kind is 101 characters"},
		{func(d *incident.Declaration) { d.OriginChannel += "x" }, "the origin channel is 101 characters"},
		{func(d *incident.Declaration) { d.SourceMessage += "x" }, "the source message link is 1,001 characters"},
		{func(d *incident.Declaration) { d.Source += "x" }, "the source is 101 characters"},
		{func(d *incident.Declaration) { d.AlertsText += "x" }, "the alerts text is 3,001 characters"},
		{func(d *incident.Declaration) { d.AlertsMarkdown += "x" }, "the alerts markdown is 3,001 characters"},
		{func(d *incident.Declaration) { d.AlertGroup += "x" }, "the alert group is 101 characters"},
	} {
		d := boundedDeclaration()
		c.over(&d)
		err := incident.CheckDeclaration(d)
		if assert.Error(t, err, c.want) {
			assert.True(t, strings.HasPrefix(err.Error(), c.want), "%q doesn't start with %q", err, c.want)
		}
	}
}

func TestListsCompactKeepsWholeAreBounded(t *testing.T) {
	inc := incident.New(incident.Declaration{ID: "abc", Title: "t", Severity: incident.Major})
	for range incident.MaxActionItems {
		require.NoError(t, inc.CheckRoomForActionItem())
		inc.ActionItems = append(inc.ActionItems, incident.ActionItem{Text: "x"})
	}
	assert.EqualError(t, inc.CheckRoomForActionItem(),
		"incident abc already has 10 action items, the most incidentflow records while an incident is open — combine some, or add more in the retrospective once it is resolved")
	for range incident.MaxSeverityChanges {
		require.NoError(t, inc.CheckRoomForSeverityChange())
		inc.SeverityHistory = append(inc.SeverityHistory, incident.SeverityChange{To: incident.Major})
	}
	assert.EqualError(t, inc.CheckRoomForSeverityChange(),
		"incident abc has changed severity 10 times, the most incidentflow records — keep it at major and say what changed in a status update")
}

func TestCompactedLeavesTheIncidentAsItIs(t *testing.T) {
	limits := incident.Limits{Updates: 5, UpdateBytes: 1 << 20, Timeline: 10, TimelineBytes: 1 << 20}
	inc := longIncident(30, "ok")
	inc.Compact(limits) // earlier actors and omitted kinds to share
	for range 30 {
		inc.Record(declared, "U0LATER", incident.EntryEscalation, "escalated")
	}
	before, err := json.Marshal(inc)
	require.NoError(t, err)

	c := inc.Compacted(limits)
	after, err := json.Marshal(inc)
	require.NoError(t, err)
	assert.JSONEq(t, string(before), string(after), "the original keeps everything")
	inc.Compact(limits)
	assert.Equal(t, inc, c, "the copy is what compacting in place gives")
}

func TestTruncateChars(t *testing.T) {
	assert.Equal(t, "ééé", incident.TruncateChars("ééé", 3))
	assert.Equal(t, "éé…", incident.TruncateChars("éééé", 3))
	assert.Equal(t, "", incident.TruncateChars("éé", 0))
}

// FuzzCheckText: whatever the text, CheckText refuses exactly the texts
// over the bound, and its sentence names the field, the length and the
// bound; CheckDeclaration refuses a title CheckText refuses.
func FuzzCheckText(f *testing.F) {
	for _, seed := range []string{"", "ok", strings.Repeat("<", 151), strings.Repeat("é", 150), "\xff\xfe", "\u202eevil"} {
		f.Add(seed, 150)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 {
			max = -max
		}
		err := incident.CheckText("the title", s, max)
		n := utf8.RuneCountInString(s)
		if (err != nil) != (n > max) {
			t.Fatalf("%d characters, bound %d: %v", n, max, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "the title is ") {
			t.Fatalf("the sentence doesn't name the field: %v", err)
		}
		d := incident.Declaration{Title: s + "x"}
		if (utf8.RuneCountInString(d.Title) > incident.MaxTitle) != (incident.CheckDeclaration(d) != nil) {
			t.Fatalf("CheckDeclaration of a %d-character title: %v", utf8.RuneCountInString(d.Title), incident.CheckDeclaration(d))
		}
	})
}
