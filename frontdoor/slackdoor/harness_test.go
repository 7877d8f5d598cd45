package slackdoor

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// door is a front door served over HTTP, with the Slack emulator acting as
// Slack towards it and a fake Temporal behind it.
type door struct {
	t     *testing.T
	emu   *slackemu.Server
	ops   *fakeOps
	fd    *FrontDoor
	srv   *httptest.Server
	retro *fakeRetro
	maint *fakeMaintenance
	// seenViews counts the emulator's views up to the last one openView
	// returned.
	seenViews int
}

type doorOption func(*FrontDoorOptions)

func newDoor(t *testing.T, options ...doorOption) *door {
	t.Helper()
	emu := slackemu.NewTestServer(t, slackemu.Options{DisableRateLimits: true})
	ops := newFakeOps()
	process := incident.DefaultProcess()
	process.Services = map[string]incident.Service{"checkout": {}, "search": {}}
	opts := FrontDoorOptions{
		Incidents:     ops,
		Process:       &process,
		Slack:         slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(emu.URL()+"/api/")),
		SlackAPIURL:   emu.URL() + "/api",
		SigningSecret: testSecret,
		Logger:        testLogger(t),
	}
	for _, o := range options {
		o(&opts)
	}
	fd := NewFrontDoor(opts)
	t.Cleanup(fd.Wait) // after the server closed: nothing in the background outlives the test
	srv := httptest.NewServer(routes(fd))
	t.Cleanup(srv.Close)
	emu.SetFrontDoor(srv.URL, testSecret)
	d := &door{t: t, emu: emu, ops: ops, fd: fd, srv: srv}
	d.retro, _ = opts.Retro.(*fakeRetro)
	d.maint, _ = opts.Maintenance.(*fakeMaintenance)
	return d
}

// routes mounts fd on Slack's paths as the frontdoor package does (which
// imports this one, so its mux can't serve these tests).
func routes(fd *FrontDoor) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /slack/commands", fd.Commands())
	mux.Handle("POST /slack/interactions", fd.Interactions())
	mux.Handle("POST /slack/events", fd.Events())
	return mux
}

func withRetro(r RetroActions) doorOption { return func(o *FrontDoorOptions) { o.Retro = r } }

// withAdmins makes users the incident admins (permissions.incident_admins).
func withAdmins(users ...string) doorOption {
	return func(o *FrontDoorOptions) { o.Process.Permissions.IncidentAdmins = users }
}

func withMaintenance(m MaintenanceActions) doorOption {
	return func(o *FrontDoorOptions) { o.Maintenance = m }
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// warRoom creates a channel in the emulator and an open incident behind it,
// declared by Alice, its commander; Bob, Carol and Dave are in it too,
// Erin, Frank and Grace aren't.
func (d *door) warRoom(title string) (incident.Declaration, string) {
	d.t.Helper()
	ch, err := d.emu.CreateChannel("inc-"+incident.Slug(title), false, slackemu.UserAlice, slackemu.UserBob, slackemu.UserCarol, slackemu.UserDave)
	if err != nil {
		d.t.Fatal(err)
	}
	decl := incident.Declaration{ID: incident.IDFromKey(title), Title: title, Severity: incident.Major,
		Declarer: slackemu.UserAlice, DeclaredAt: time.Now().UTC()}
	d.ops.add(decl, ch.ID)
	return decl, ch.ID
}

// maintenanceRoom is warRoom for a run of maintenance window windowID:
// the war room of a maintenance-kind incident whose ID is the run's key,
// led by Alice, with Bob, Carol and Dave in it, Erin, Frank and Grace not.
func (d *door) maintenanceRoom(windowID string) (incident.Declaration, string) {
	d.t.Helper()
	w := incident.Window{ID: windowID, Title: "Maintenance " + windowID, Lead: slackemu.UserAlice, ScheduledBy: slackemu.UserAlice,
		Severity: incident.Minor, Duration: time.Hour}
	decl := w.Declaration(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
	ch, err := d.emu.CreateChannel("maint-"+decl.ID, false, slackemu.UserAlice, slackemu.UserBob, slackemu.UserCarol, slackemu.UserDave)
	if err != nil {
		d.t.Fatal(err)
	}
	d.ops.add(decl, ch.ID)
	return decl, ch.ID
}

// command types a slash command and fails the test unless Slack got its
// answer in time.
func (d *door) command(channelID, user, text string) *slackemu.Reply {
	d.t.Helper()
	return d.slash("/incident", channelID, user, text)
}

func (d *door) slash(command, channelID, user, text string) *slackemu.Reply {
	d.t.Helper()
	rep, err := d.emu.SlashCommand(context.Background(), slackemu.SlashCommand{
		Command: command, Text: text, UserID: user, ChannelID: channelID})
	if err != nil {
		d.t.Fatalf("%s %s: %v", command, text, err)
	}
	if rep.Status != http.StatusOK || rep.Late {
		d.t.Fatalf("%s %s: status %d after %v", command, text, rep.Status, rep.Elapsed)
	}
	return rep
}

// replyText is the ephemeral text of a command's answer.
func replyText(rep *slackemu.Reply) string {
	s, _ := rep.JSON["text"].(string)
	return s
}

// openView waits (up to 3 s: views.open runs after the answer) for the next
// modal with callbackID opened since the one openView last returned, and
// returns it.
func (d *door) openView(callbackID string) slackemu.View {
	d.t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		views := d.emu.Views()
		for i := len(views) - 1; i >= d.seenViews; i-- {
			if views[i].CallbackID == callbackID && views[i].Open {
				d.seenViews = i + 1
				return views[i]
			}
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("no open %s modal among %d views", callbackID, len(views))
			return slackemu.View{}
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// submit submits a modal and fails the test unless Slack got an answer in
// time.
func (d *door) submit(viewID, user string, values formInput) *slackemu.Reply {
	d.t.Helper()
	rep, err := d.emu.SubmitView(context.Background(), viewID, user, values)
	if err != nil {
		d.t.Fatalf("submit %s: %v", viewID, err)
	}
	if rep.Status != http.StatusOK || rep.Late {
		d.t.Fatalf("submit %s: status %d after %v", viewID, rep.Status, rep.Elapsed)
	}
	return rep
}

// formInput builds view_submission state values.
type formInput map[string]map[string]slack.BlockAction

func form() formInput { return formInput{} }

// input sets field's value to a, an input block of the same ID.
func (f formInput) input(field string, a slack.BlockAction) formInput {
	a.ActionID, a.BlockID = field, field
	f[field] = map[string]slack.BlockAction{field: a}
	return f
}

func (f formInput) text(field, v string) formInput {
	return f.input(field, slack.BlockAction{Type: "plain_text_input", Value: v})
}

func (f formInput) number(field, v string) formInput {
	return f.input(field, slack.BlockAction{Type: "number_input", Value: v})
}

func (f formInput) sel(field, v string) formInput {
	return f.input(field, slack.BlockAction{Type: "static_select", SelectedOption: slack.OptionBlockObject{Value: v}})
}

func (f formInput) user(field, v string) formInput {
	return f.input(field, slack.BlockAction{Type: "users_select", SelectedUser: v})
}

func (f formInput) date(field, v string) formInput {
	return f.input(field, slack.BlockAction{Type: "datepicker", SelectedDate: v})
}

func (f formInput) check(field, v string) formInput {
	return f.input(field, slack.BlockAction{Type: "checkboxes", SelectedOptions: []slack.OptionBlockObject{{Value: v}}})
}

// postButtons posts, as the bot, a message with one button per action ID
// (value: the incident ID), as the workflows do.
func (d *door) postButtons(channelID, value string, actionIDs ...string) string {
	d.t.Helper()
	var els []slack.BlockElement
	for _, a := range actionIDs {
		els = append(els, slack.NewButtonBlockElement(a, value, plain(a)))
	}
	_, ts, err := d.fd.slack.PostMessage(channelID, slack.MsgOptionText("kickoff", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("actions", els...)))
	if err != nil {
		d.t.Fatal(err)
	}
	return ts
}

// click presses a button and fails the test unless Slack got its answer in
// time.
func (d *door) click(channelID, ts, actionID, user string) *slackemu.Reply {
	d.t.Helper()
	rep, err := d.emu.ClickButton(context.Background(), channelID, ts, actionID, "", user)
	if err != nil {
		d.t.Fatalf("click %s: %v", actionID, err)
	}
	if rep.Status != http.StatusOK || rep.Late {
		d.t.Fatalf("click %s: status %d after %v", actionID, rep.Status, rep.Elapsed)
	}
	return rep
}

// eventually polls cond for up to 3 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ephemeralTexts returns what user was shown only to them in channelID.
func (d *door) ephemeralTexts(channelID, user string) []string {
	var out []string
	for _, e := range d.emu.Ephemerals(channelID, user) {
		out = append(out, e.Text)
	}
	return out
}

// signedPost posts body to the front door, signed as Slack does, with extra
// headers.
func (d *door) signedPost(path, contentType string, body []byte, header http.Header) *http.Response {
	d.t.Helper()
	req, err := http.NewRequest(http.MethodPost, d.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	ts, sig := slackemu.Sign(testSecret, time.Now(), body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// postInteraction posts an interaction payload, signed.
func (d *door) postInteraction(cb *slack.InteractionCallback, header http.Header) *http.Response {
	d.t.Helper()
	b, err := json.Marshal(cb)
	if err != nil {
		d.t.Fatal(err)
	}
	return d.signedPost("/slack/interactions", "application/x-www-form-urlencoded",
		[]byte(url.Values{"payload": {string(b)}}.Encode()), header)
}

// submission is the view_submission payload of modal v with values, as
// Slack sends it (for deliveries the emulator can't repeat: retries).
func submission(v slackemu.View, user string, values formInput) *slack.InteractionCallback {
	return &slack.InteractionCallback{
		Type: slack.InteractionTypeViewSubmission,
		Team: slack.Team{ID: slackemu.TeamID, Domain: slackemu.TeamDomain},
		User: slack.User{ID: user},
		View: slack.View{ID: v.ID, Hash: v.Hash, Type: slack.VTModal, CallbackID: v.CallbackID, PrivateMetadata: v.PrivateMetadata,
			State: &slack.ViewState{Values: values}},
	}
}
