package slackemu_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

// frontDoor is a minimal app front door that verifies signatures with slack-go.
type frontDoor struct {
	t        *testing.T
	api      *slack.Client
	mu       sync.Mutex
	commands []slack.SlashCommand
	actions  []slack.InteractionCallback
	badSigs  int
}

// verify checks the Slack signature of r and returns its body.
func (f *frontDoor) verify(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, _ := io.ReadAll(r.Body)
	sv, err := slack.NewSecretsVerifier(r.Header, secret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		f.mu.Lock()
		f.badSigs++
		f.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, true
}

// command returns the i-th slash command received.
func (f *frontDoor) command(i int) slack.SlashCommand {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.commands[i]
}

// action returns the i-th interaction received.
func (f *frontDoor) action(i int) slack.InteractionCallback {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.actions[i]
}

// rejected returns how many requests had a bad signature.
func (f *frontDoor) rejected() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.badSigs
}

func (f *frontDoor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := f.verify(w, r); !ok {
		return
	}
	switch r.URL.Path {
	case "/slack/commands":
		sc, err := slack.SlashCommandParse(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.commands = append(f.commands, sc)
		f.mu.Unlock()
		if sc.Text == "help" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"response_type":"ephemeral","text":"usage: /incident declare <title>"}`)
			return
		}
		if _, err := f.api.OpenView(sc.TriggerID, declareModal()); err != nil {
			f.t.Errorf("views.open from the command: %v", err)
		}
	case "/slack/interactions":
		ic, err := slack.InteractionCallbackParse(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.actions = append(f.actions, ic)
		f.mu.Unlock()
		switch ic.Type {
		case slack.InteractionTypeViewSubmission:
			title := ic.View.State.Values["title"]["title_input"].Value
			if title == "" {
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(slack.NewErrorsViewSubmissionResponse(map[string]string{"title": "Required"}))
				return
			}
			_, _, err := f.api.PostMessage(slackemu.IncidentsChannelID, slack.MsgOptionText("Incident: "+title, false),
				slack.MsgOptionBlocks(
					slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*"+title+"*", false, false), nil, nil),
					slack.NewActionBlock("incident_actions", slack.NewButtonBlockElement("ack", "inc-1",
						slack.NewTextBlockObject("plain_text", "Acknowledge", false, false)))))
			if err != nil {
				f.t.Errorf("post: %v", err)
			}
		case slack.InteractionTypeBlockActions:
			_, _, err := f.api.PostMessage("", slack.MsgOptionReplaceOriginal(ic.ResponseURL),
				slack.MsgOptionText("Acknowledged by <@"+ic.User.ID+">", false))
			if err != nil {
				f.t.Errorf("response_url: %v", err)
			}
		}
	default:
		http.NotFound(w, r)
	}
}

func TestSignedCommandsAndInteractions(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{})
	fd := &frontDoor{t: t, api: api}
	app := httptest.NewServer(fd)
	defer app.Close()
	ctx := context.Background()

	_, err := srv.SlashCommand(ctx, slackemu.SlashCommand{Text: "x"})
	if !errors.Is(err, slackemu.ErrNoFrontDoor) {
		t.Fatalf("without front door: %v", err)
	}
	srv.SetFrontDoor(app.URL, secret)

	// Slash command: signed, parsed by slack-go, and its trigger opens a modal.
	rep, err := srv.SlashCommand(ctx, slackemu.SlashCommand{Command: "/incident", Text: "declare db down", UserID: slackemu.UserBob, ChannelID: slackemu.IncidentsChannelID})
	must(t, err)
	if rep.Status != http.StatusOK || rep.Late {
		t.Fatalf("reply = %+v", rep)
	}
	sc := fd.command(0)
	if sc.Command != "/incident" || sc.Text != "declare db down" || sc.UserID != slackemu.UserBob || sc.ChannelName != "incidents" ||
		sc.TriggerID != rep.TriggerID || !strings.HasPrefix(sc.ResponseURL, srv.URL()+"/_emu/response/") || sc.TeamID != slackemu.TeamID {
		t.Fatalf("command = %+v", sc)
	}
	views := srv.Views()
	if len(views) != 1 || views[0].UserID != slackemu.UserBob || !views[0].Open {
		t.Fatalf("views = %+v", views)
	}
	viewID := views[0].ID

	// View submission with errors keeps the modal open.
	rep, err = srv.SubmitView(ctx, viewID, "", map[string]map[string]slack.BlockAction{
		"title": {"title_input": {Type: "plain_text_input", Value: ""}}})
	must(t, err)
	if rep.ResponseAction != "errors" || rep.Errors["title"] != "Required" {
		t.Fatalf("errors reply = %+v", rep)
	}
	if v, _ := srv.View(viewID); !v.Open {
		t.Fatal("modal closed after errors")
	}
	// A valid submission closes it; the app posts the incident.
	rep, err = srv.SubmitView(ctx, viewID, slackemu.UserBob, map[string]map[string]slack.BlockAction{
		"title": {"title_input": {Type: "plain_text_input", Value: "DB down"}}})
	must(t, err)
	if rep.Status != http.StatusOK || rep.ResponseAction != "" {
		t.Fatalf("submit reply = %+v", rep)
	}
	v, _ := srv.View(viewID)
	if v.Open || v.State.Values["title"]["title_input"].Value != "DB down" {
		t.Fatalf("view after submit = %+v", v)
	}
	sub := fd.action(1)
	if sub.Type != slack.InteractionTypeViewSubmission || sub.View.ID != viewID || sub.View.CallbackID != "declare" ||
		sub.View.PrivateMetadata != `{"channel":"C0INCIDENTS"}` || sub.User.ID != slackemu.UserBob || sub.TriggerID == "" {
		t.Fatalf("submission = %+v", sub)
	}
	msgs := srv.Messages(slackemu.IncidentsChannelID)
	if len(msgs) != 1 || msgs[0].Text != "Incident: DB down" {
		t.Fatalf("messages = %+v", msgs)
	}
	ts := msgs[0].TS

	// Button click: block_actions built from the stored message; the app replaces it.
	rep, err = srv.ClickButton(ctx, slackemu.IncidentsChannelID, ts, "ack", "", slackemu.UserCarol)
	must(t, err)
	click := fd.action(2)
	if click.Type != slack.InteractionTypeBlockActions || click.Container.Type != "message" || click.Container.MessageTs != ts ||
		click.Container.ChannelID != slackemu.IncidentsChannelID || click.Channel.ID != slackemu.IncidentsChannelID ||
		click.Message.Timestamp != ts || len(click.Message.Blocks.BlockSet) != 2 || len(click.ActionCallback.BlockActions) != 1 {
		t.Fatalf("click = %+v", click)
	}
	if ba := click.ActionCallback.BlockActions[0]; ba.ActionID != "ack" || ba.Value != "inc-1" || ba.BlockID != "incident_actions" || ba.Type != "button" {
		t.Fatalf("block action = %+v", ba)
	}
	if got := srv.Messages(slackemu.IncidentsChannelID)[0].Text; got != "Acknowledged by <@U0CAROL>" {
		t.Fatalf("after replace_original: %q", got)
	}
	id := rep.ResponseURL[strings.LastIndex(rep.ResponseURL, "/")+1:]
	if posts := srv.ResponseURLPosts(id); len(posts) != 1 || !posts[0].ReplaceOriginal || posts[0].Status != http.StatusOK {
		t.Fatalf("response_url posts = %+v", posts)
	}
	_, err = srv.ClickButton(ctx, slackemu.IncidentsChannelID, ts, "nope", "", slackemu.UserCarol)
	if err == nil {
		t.Fatal("clicking a missing action should fail")
	}

	// Message shortcut and global shortcut.
	_, err = srv.MessageShortcut(ctx, "summarize", slackemu.IncidentsChannelID, ts, slackemu.UserAlice)
	must(t, err)
	if ms := fd.action(3); ms.Type != slack.InteractionTypeMessageAction || ms.CallbackID != "summarize" || ms.Message.Timestamp != ts || ms.ResponseURL == "" {
		t.Fatalf("message shortcut = %+v", ms)
	}
	_, err = srv.Shortcut(ctx, "declare_incident", slackemu.UserAlice)
	must(t, err)
	if sh := fd.action(4); sh.Type != slack.InteractionTypeShortcut || sh.CallbackID != "declare_incident" || sh.TriggerID == "" {
		t.Fatalf("shortcut = %+v", sh)
	}

	// An immediate answer to a command is shown to the user only.
	_, err = srv.SlashCommand(ctx, slackemu.SlashCommand{Text: "help", UserID: slackemu.UserBob})
	must(t, err)
	if eph := srv.Ephemerals(slackemu.IncidentsChannelID, slackemu.UserBob); len(eph) != 1 || !strings.HasPrefix(eph[0].Text, "usage") {
		t.Fatalf("ephemerals = %+v", eph)
	}

	// A wrong secret is rejected by the front door.
	srv.SetFrontDoor(app.URL, "not-the-secret")
	rep, err = srv.SlashCommand(ctx, slackemu.SlashCommand{Text: "help"})
	must(t, err)
	if rep.Status != http.StatusUnauthorized || fd.rejected() != 1 {
		t.Fatalf("bad secret: %+v", rep)
	}
}

func TestSign(t *testing.T) {
	body := []byte("token=x&command=%2Fincident")
	for _, c := range []struct {
		name string
		at   time.Time
		want error
	}{
		{"fresh", time.Now(), nil},
		{"six minutes old", time.Now().Add(-6 * time.Minute), slack.ErrExpiredTimestamp},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts, sig := slackemu.Sign(secret, c.at, body)
			h := http.Header{"X-Slack-Request-Timestamp": {ts}, "X-Slack-Signature": {sig}}
			sv, err := slack.NewSecretsVerifier(h, secret)
			if c.want != nil {
				if !errors.Is(err, c.want) {
					t.Fatalf("want %v, got %v", c.want, err)
				}
				return
			}
			must(t, err)
			_, _ = sv.Write(body)
			must(t, sv.Ensure())
		})
	}
	// Known vector: HMAC-SHA256("secret", "v0:1700000000:body").
	ts, sig := slackemu.Sign("secret", time.Unix(1700000000, 0), []byte("body"))
	if ts != "1700000000" || !strings.HasPrefix(sig, "v0=") || len(sig) != 3+64 {
		t.Fatalf("Sign = %s %s", ts, sig)
	}
}

func TestResponseURLLimits(t *testing.T) {
	srv, api, clock := newEmu(t, slackemu.Options{})
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer app.Close()
	srv.SetFrontDoor(app.URL, secret)
	rep, err := srv.SlashCommand(context.Background(), slackemu.SlashCommand{Text: "status"})
	must(t, err)
	for i := range 5 {
		_, _, err := api.PostMessage("", slack.MsgOptionResponseURL(rep.ResponseURL, slack.ResponseTypeInChannel),
			slack.MsgOptionText("status update", false))
		if err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	_, _, err = api.PostMessage("", slack.MsgOptionResponseURL(rep.ResponseURL, slack.ResponseTypeInChannel), slack.MsgOptionText("6th", false))
	if err == nil {
		t.Fatal("6th post accepted")
	}
	if n := len(srv.Messages(slackemu.IncidentsChannelID)); n != 5 {
		t.Fatalf("in_channel posts = %d", n)
	}
	posts := srv.ResponseURLPosts("")
	if len(posts) != 6 || posts[5].Error != "used_url" {
		t.Fatalf("posts = %+v", posts)
	}

	rep, err = srv.SlashCommand(context.Background(), slackemu.SlashCommand{Text: "status"})
	must(t, err)
	clock.Advance(31 * time.Minute)
	resp, err := http.Post(rep.ResponseURL, "application/json", strings.NewReader(`{"text":"late"}`))
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("expired response_url: %d", resp.StatusCode)
	}
}
