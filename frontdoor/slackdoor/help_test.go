package slackdoor

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// TestHelpRendersInSlack: the answers that show how to type a command —
// /incident help, /incident list with nothing open, a war-room command
// outside a war room — render in the Slack sandbox as Slack shows them:
// each usage in a code span with its <placeholders> as typed, no raw
// backtick, and no <…> Slack would read as a link.
func TestHelpRendersInSlack(t *testing.T) {
	d := newDoor(t)
	var texts []string
	for _, cmd := range []string{"help", "list", "status"} {
		texts = append(texts, replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, cmd)))
	}
	token := regexp.MustCompile(`<([^>]*)>`)
	for _, text := range texts {
		for _, m := range token.FindAllStringSubmatch(text, -1) {
			if !regexp.MustCompile(`^(@[UW]|#C|!|https?://)`).MatchString(m[1]) {
				t.Errorf("Slack reads %q as a link in %q", m[0], text)
			}
		}
	}
	resp, err := http.Get(d.emu.URL() + "/?" + url.Values{"channel": {slackemu.GeneralChannelID}, "as": {slackemu.UserAlice}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	for _, want := range []string{
		"<code>/incident severity &lt;critical|major|minor&gt; [reason]</code>",
		"<code>/incident action [@owner] &lt;what needs doing&gt;</code>",
		"<code>/incident declare &lt;title&gt;</code>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the sandbox page doesn't show %s", want)
		}
	}
	if strings.Contains(page, "`/incident") || strings.Contains(page, "]`") {
		t.Errorf("the sandbox page shows raw backticks around a usage")
	}
}
