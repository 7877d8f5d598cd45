package slackemu_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

func TestStateJSONShape(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{})
	ch, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-shape"})
	must(t, err)
	_, err = api.SetTopicOfConversation(ch.ID, "SEV1 | IC @alice")
	must(t, err)
	_, err = api.AddBookmark(ch.ID, slack.AddBookmarkParameters{Title: "Runbook", Type: "link", Link: "https://example.com/rb"})
	must(t, err)
	_, ts, err := api.PostMessage(ch.ID, slack.MsgOptionText("kickoff", false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "incident_kickoff", EventPayload: map[string]any{"id": "7"}}))
	must(t, err)
	must(t, api.AddPin(ch.ID, slack.NewRefToMessage(ch.ID, ts)))

	resp, err := http.Get(srv.URL() + "/_emu/state")
	must(t, err)
	defer resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	var state struct {
		Channels []map[string]json.RawMessage `json:"channels"`
		Users    []map[string]any             `json:"users"`
	}
	must(t, json.NewDecoder(resp.Body).Decode(&state))
	if len(state.Users) != len(slackemu.DefaultUsers()) {
		t.Fatalf("users = %d", len(state.Users))
	}
	var got map[string]json.RawMessage
	for _, c := range state.Channels {
		for _, k := range []string{"id", "name", "is_private", "is_archived", "topic", "purpose", "members", "bookmarks", "messages"} {
			if _, ok := c[k]; !ok {
				t.Fatalf("channel lacks %q: %v", k, c)
			}
		}
		if string(c["name"]) == `"inc-shape"` {
			got = c
		}
	}
	var typed struct {
		ID        string   `json:"id"`
		Topic     string   `json:"topic"`
		IsPrivate bool     `json:"is_private"`
		Members   []string `json:"members"`
		Bookmarks []struct {
			Title string `json:"title"`
			Link  string `json:"link"`
		} `json:"bookmarks"`
		Messages []struct {
			TS       string `json:"ts"`
			User     string `json:"user"`
			Text     string `json:"text"`
			Pinned   bool   `json:"pinned"`
			Metadata *struct {
				EventType    string         `json:"event_type"`
				EventPayload map[string]any `json:"event_payload"`
			} `json:"metadata"`
		} `json:"messages"`
	}
	raw, _ := json.Marshal(got)
	must(t, json.Unmarshal(raw, &typed))
	if typed.ID != ch.ID || typed.Topic != "SEV1 | IC @alice" || len(typed.Members) != 1 || len(typed.Bookmarks) != 1 ||
		typed.Bookmarks[0].Link != "https://example.com/rb" || len(typed.Messages) != 1 {
		t.Fatalf("state channel = %s", raw)
	}
	m := typed.Messages[0]
	if m.TS != ts || m.User != slackemu.BotUserID || m.Text != "kickoff" || !m.Pinned || m.Metadata == nil || m.Metadata.EventType != "incident_kickoff" {
		t.Fatalf("state message = %+v", m)
	}
}

func TestReadablePage(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{})
	_, err := api.SetTopicOfConversation(slackemu.IncidentsChannelID, `<b>topic</b>`)
	must(t, err)
	_, _, err = api.PostMessage(slackemu.IncidentsChannelID, slack.MsgOptionText(`<script>alert("x")</script> & <!channel>`, false))
	must(t, err)
	resp, err := http.Get(srv.URL() + "/")
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"#incidents", "#general", "@alice", "&lt;script&gt;", "&lt;b&gt;topic&lt;/b&gt;", "&amp;"} {
		if !strings.Contains(page, want) {
			t.Fatalf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<b>topic") {
		t.Fatal("page does not escape user text")
	}
	resp2, err := http.Get(srv.URL() + "/nothing-here")
	must(t, err)
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown path: %d", resp2.StatusCode)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{DisableRateLimits: true})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			ch, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: fmt.Sprintf("load-%d", g)})
			if err != nil {
				t.Error(err)
				return
			}
			for i := range 20 {
				if _, _, err := api.PostMessage(ch.ID, slack.MsgOptionText(fmt.Sprintf("m%d", i), false)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			_ = srv.Snapshot()
			resp, err := http.Get(srv.URL() + "/")
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	})
	wg.Wait()
	seen := map[string]bool{}
	total := 0
	for _, c := range srv.Channels() {
		for _, m := range srv.Messages(c.ID) {
			if seen[m.TS] {
				t.Fatalf("duplicate ts %s", m.TS)
			}
			seen[m.TS] = true
			total++
		}
	}
	if total != 160 {
		t.Fatalf("messages = %d", total)
	}
}
