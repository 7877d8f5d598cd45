package slackdoor

import (
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Names typed without picking from Slack's list (plain @name, a real name,
// an email address) resolve through users.list or users.lookupByEmail; the
// reply says whom they resolved to, or that no one matched and nothing was
// changed. The workspace's list is fetched once for all of them.
func TestTypedNamesResolveToPeople(t *testing.T) {
	d := newDoor(t, withAdmins(slackemu.UserAlice)) // she gives the roles whoever holds them
	for _, u := range []slackemu.User{
		{ID: "U0ALICE2", Name: "alice.b", RealName: "Alice Bell"},
		{ID: "U0DANA1", Name: "dana.b", RealName: "Dana <b>Bell</b>"},
		{ID: "U0DANA2", Name: "dana.f", RealName: "Dana Fox"},
	} {
		u.TZ = "UTC"
		d.emu.AddUser(u)
	}
	_, room := d.warRoom("Checkout is down")
	alice := slackemu.UserAlice

	roles := []struct {
		text, want string
		role       incident.Role
		user       string
	}{
		{"lead @bob", "I took “@bob” to be <@U0BOB> (Bob Brown). <@U0BOB> is now the commander", incident.Commander, slackemu.UserBob},
		{"comms Carol Chen", "I took “@Carol Chen” to be <@U0CAROL> (Carol Chen). <@U0CAROL> is now the comms", incident.Comms, slackemu.UserCarol},
		{"lead erin", "<@U0ERIN> is now the commander", incident.Commander, slackemu.UserErin},
		{"lead Dave", "I took “@Dave” to be <@U0DAVE> (Dave Diaz)", incident.Commander, slackemu.UserDave},
		{"lead @Alice", "I took “@Alice” to be <@U0ALICE> (Alice Anders)", incident.Commander, slackemu.UserAlice}, // the handle, not Alice Bell's first name
		{"comms <mailto:grace@example.com|grace@example.com>", "I took “grace@example.com” to be <@U0GRACE> (Grace Green)", incident.Comms, slackemu.UserGrace},
	}
	for i, tt := range roles {
		text := replyText(d.command(room, alice, tt.text))
		if !strings.Contains(text, tt.want) {
			t.Errorf("/incident %s answered %q, want it to contain %q", tt.text, text, tt.want)
		}
		calls := d.ops.callsOf("AssignRole")
		want := wfapi.AssignRoleRequest{By: alice, Role: tt.role, User: tt.user}
		if len(calls) != i+1 || calls[i].Arg != want {
			t.Fatalf("/incident %s: calls %+v, want the last to be %+v", tt.text, calls, want)
		}
	}

	refused := []struct{ text, want string }{
		{"lead @nobody", "No one in this workspace is called “@nobody”, so nothing was changed. Type @ and pick the person from Slack's list"},
		{"lead nobody@example.com", "No one in this workspace is called “nobody@example.com”"},
		{"lead Dana", "“@Dana” could be <@U0DANA1> (Dana &lt;b&gt;Bell&lt;/b&gt;), <@U0DANA2> (Dana Fox), so nothing was changed"},
		{"lead @incidentflow", "is a bot"},
		{"lead @<!channel>", "No one in this workspace is called “@@channel”"},
	}
	for _, tt := range refused {
		if text := replyText(d.command(room, alice, tt.text)); !strings.Contains(text, tt.want) {
			t.Errorf("/incident %s answered %q, want it to contain %q", tt.text, text, tt.want)
		}
	}
	if n := len(d.ops.callsOf("AssignRole")); n != len(roles) {
		t.Errorf("%d roles assigned, want %d: a refused name assigned one", n, len(roles))
	}
	if n := d.emu.CallCount("users.list"); n != 1 {
		t.Errorf("users.list called %d times, want once (cached)", n)
	}
}

// An action item's owner typed as a plain @name is recorded as the owner
// (not left in the text that becomes the GitHub issue's title); one that
// matches no one records nothing and says so.
func TestActionOwnerTypedAsPlainName(t *testing.T) {
	d := newDoor(t)
	_, room := d.warRoom("Search is slow")
	alice := slackemu.UserAlice

	text := replyText(d.command(room, alice, "action @dave add an alert on queue depth"))
	if !strings.Contains(text, "I took “@dave” to be <@U0DAVE> (Dave Diaz). Recorded the action item “add an alert on queue depth” (owner <@U0DAVE>)") {
		t.Errorf("reply %q", text)
	}
	want := wfapi.AddActionItemRequest{By: alice, Text: "add an alert on queue depth", Owner: slackemu.UserDave}
	if calls := d.ops.callsOf("AddActionItem"); len(calls) != 1 || calls[0].Arg != want {
		t.Fatalf("calls %+v, want one %+v", calls, want)
	}

	text = replyText(d.command(room, alice, "action @dvae add an alert"))
	if !strings.Contains(text, "No one in this workspace is called “@dvae”, so the action item was NOT recorded. Type @ and pick the owner from Slack's list, or leave the @ out") {
		t.Errorf("reply %q", text)
	}
	if calls := d.ops.callsOf("AddActionItem"); len(calls) != 1 {
		t.Fatalf("an owner no one matched recorded an action item: %+v", calls)
	}
}
