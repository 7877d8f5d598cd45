package slackdoor

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A workflow's refusal may name a person (an alert group names who
// answered its prompt first): the mention stays a mention, every other
// piece of markup stays escaped.
func TestEscapeRefusalKeepsUserMentions(t *testing.T) {
	for in, want := range map[string]string{
		"<@U0BOB> already answered this alert (declared)": "<@U0BOB> already answered this alert (declared)",
		"<@W012AB3CD> and <@U0ALICE> answered":            "<@W012AB3CD> and <@U0ALICE> answered",
		"<!channel> is not a severity":                    "&lt;!channel&gt; is not a severity",
		"<@C0GENERAL> is a channel":                       "&lt;@C0GENERAL&gt; is a channel",
		"<@u0bob> is not an ID":                           "&lt;@u0bob&gt; is not an ID",
		"<https://evil.example|click> & *bold*":           "&lt;https://evil.example|click&gt; &amp; *bold*",
		"&lt;@U0BOB&gt; was already escaped":              "&amp;lt;@U0BOB&amp;gt; was already escaped",
	} {
		assert.Equal(t, want, escapeRefusal(in), "%q", in)
	}
}
