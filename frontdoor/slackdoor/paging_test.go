package slackdoor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

var _ Pager = (*fakeOps)(nil)

// Page plays the workflow's part: a page of a service not paged before is
// sent, the same page again is Already.
func (f *fakeOps) Page(ctx context.Context, id string, req wfapi.PageRequest) (wfapi.PageOutcome, error) {
	var out wfapi.PageOutcome
	err := f.change(ctx, "Page", id, req, func(inc *incident.Incident) {
		svc := req.Service
		if svc == "" {
			svc = inc.Declaration.Service
		}
		out = wfapi.PageOutcome{DedupKey: wfapi.PageDedupKey(id, svc), Service: svc}
		if inc.PageOf(out.DedupKey) >= 0 {
			out.Already = true
			return
		}
		inc.Pages = append(inc.Pages, incident.Page{Service: svc, DedupKey: out.DedupKey, By: req.By, RequestedAt: time.Now()})
	})
	return out, err
}

func TestPageCommandPagesTheWarRoomsIncidentOnce(t *testing.T) {
	d := newDoor(t)
	decl, room := d.warRoom("Checkout down")

	if got := replyText(d.command(room, slackemu.UserBob, "page")); got != "Paging the default on-call for `"+decl.ID+
		"` through PagerDuty. The war room will say when PagerDuty has taken the page, and who acknowledges it." {
		t.Errorf("page: %q", got)
	}
	if got := replyText(d.command(room, slackemu.UserCarol, "page “payments”")); !strings.HasPrefix(got, "Paging the on-call of *payments* for `"+decl.ID+"`") {
		t.Errorf("page payments: %q", got)
	}
	if got := replyText(d.command(room, slackemu.UserAlice, "pager payments")); !strings.HasPrefix(got, "The on-call of *payments* was paged for `"+decl.ID+"` already, so nothing new was sent") {
		t.Errorf("page payments again: %q", got)
	}
	var reqs []wfapi.PageRequest
	for _, c := range d.ops.callsOf("Page") {
		reqs = append(reqs, c.Arg.(wfapi.PageRequest))
	}
	want := []wfapi.PageRequest{{By: slackemu.UserBob}, {By: slackemu.UserCarol, Service: "payments"}, {By: slackemu.UserAlice, Service: "payments"}}
	if len(reqs) != len(want) {
		t.Fatalf("pages %+v, want %+v", reqs, want)
	}
	for i := range want {
		if reqs[i] != want[i] {
			t.Errorf("page %d: %+v, want %+v", i, reqs[i], want[i])
		}
	}
	for _, id := range d.ops.updates.ids() {
		if !strings.HasPrefix(id, "cmd-") {
			t.Errorf("update ID %q doesn't come from the command's trigger_id", id)
		}
	}
}

func TestPageCommandRefusals(t *testing.T) {
	d := newDoor(t)
	_, room := d.warRoom("Checkout down")
	for _, c := range []struct{ channel, user, text, want string }{
		{room, slackemu.UserErin, "page", "Only members of <#" + room + "> can page the on-call for this incident."},
		{slackemu.GeneralChannelID, slackemu.UserBob, "page", "`/incident page` works in an incident's war room"},
		{room, slackemu.UserBob, "page <@U0DAVE>", "pages a service's on-call, not a person"},
		{room, slackemu.UserBob, "page checkout search", "one service at a time"},
		{room, slackemu.UserBob, `page "checkout`, "a quote isn't closed"},
	} {
		if got := replyText(d.command(c.channel, c.user, c.text)); !strings.Contains(got, c.want) {
			t.Errorf("%s by %s: %q, want %q", c.text, c.user, got, c.want)
		}
	}
	if calls := d.ops.callsOf("Page"); len(calls) != 0 {
		t.Errorf("a refused page was sent: %+v", calls)
	}
}

func TestThePageOnCallButtonPages(t *testing.T) {
	d := newDoor(t)
	decl, room := d.warRoom("Checkout down")
	ts := d.postButtons(room, decl.ID, wfapi.ActionPage)
	d.click(room, ts, wfapi.ActionPage, slackemu.UserBob)
	eventually(t, "the clicker told", func() bool {
		for _, text := range d.ephemeralTexts(room, slackemu.UserBob) {
			if strings.HasPrefix(text, "Paging the default on-call for `"+decl.ID+"`") {
				return true
			}
		}
		return false
	})
	calls := d.ops.callsOf("Page")
	if len(calls) != 1 || calls[0].Arg.(wfapi.PageRequest) != (wfapi.PageRequest{By: slackemu.UserBob}) {
		t.Errorf("pages %+v", calls)
	}
	d.click(room, ts, wfapi.ActionPage, slackemu.UserErin)
	eventually(t, "the outsider refused", func() bool {
		for _, text := range d.ephemeralTexts(room, slackemu.UserErin) {
			if strings.Contains(text, "can page the on-call for this incident") {
				return true
			}
		}
		return false
	})
	if n := len(d.ops.callsOf("Page")); n != 1 {
		t.Errorf("%d pages after a refused click, want 1", n)
	}
}

func TestHelpListsPaging(t *testing.T) {
	d := newDoor(t)
	if got := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "help")); !strings.Contains(got, "`/incident page [service]` — page the on-call through PagerDuty") {
		t.Errorf("help doesn't list /incident page:\n%s", got)
	}
}

// FuzzPageCommand: whatever follows "page", ParseCommand doesn't panic, and
// a page it accepts names one service (or none) with no Slack markup left.
func FuzzPageCommand(f *testing.F) {
	for _, s := range []string{"", "checkout", "“pay ments”", "<@U0BOB>", "a b", `"x`, "<!channel>", "&lt;x&gt;", "\u200bcheckout\u200b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		cmd, err := ParseCommand("page " + rest)
		if err != nil {
			return
		}
		if cmd.Verb != VerbPage {
			t.Fatalf("verb %q", cmd.Verb)
		}
		if strings.ContainsAny(cmd.Arg, "<>") && strings.Contains(cmd.Arg, "<@") {
			t.Fatalf("a mention was taken for a service: %q", cmd.Arg)
		}
	})
}
