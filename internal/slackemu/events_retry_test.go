package slackemu_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// retryHeaders returns the X-Slack-Retry-Num/Reason of each delivery ("" for none).
func retryHeaders(got []eventDelivery) []string {
	var out []string
	for _, d := range got {
		out = append(out, d.header.Get("X-Slack-Retry-Num")+":"+d.header.Get("X-Slack-Retry-Reason"))
	}
	return out
}

// TestEventRetriesOnErrors: an app answering 500 gets the same event again
// with X-Slack-Retry-Num 1, 2 and reason http_error, until it answers 200.
func TestEventRetriesOnErrors(t *testing.T) {
	srv, _, app := newEventEmu(t, func(n int) (int, time.Duration) {
		if n < 2 {
			return http.StatusInternalServerError, 0
		}
		return http.StatusOK, 0
	})
	msg, err := srv.PostAs(slackemu.IncidentsChannelID, slackemu.UserAlice, "x", "")
	must(t, err)
	got := app.wait(3)
	if h := strings.Join(retryHeaders(got), " "); h != ": 1:http_error 2:http_error" {
		t.Fatalf("retry headers %q", h)
	}
	for _, d := range got[1:] {
		if d.event.Data == nil || string(d.body) != string(got[0].body) {
			t.Fatalf("a retry differs from the first delivery:\n%s\n%s", got[0].body, d.body)
		}
	}
	must(t, srv.React(context.Background(), slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob, "pushpin"))
	ev := srv.DeliveredEvents()
	if len(ev) != 2 || ev[0].Attempts != 3 || !ev[0].Acked || ev[0].Status != 200 || ev[1].Attempts != 1 {
		t.Fatalf("delivered = %+v", ev)
	}
}

// TestEventRetriesOnTimeouts: a slow app gets a retry with reason
// http_timeout; an app that never acknowledges makes the actor method fail
// after Slack's 3 retries.
func TestEventRetriesOnTimeouts(t *testing.T) {
	srv, _, app := newEventEmu(t, func(n int) (int, time.Duration) {
		if n == 0 {
			return http.StatusOK, 400 * time.Millisecond // over the 200 ms EventTimeout
		}
		if n >= 2 {
			return http.StatusServiceUnavailable, 0
		}
		return http.StatusOK, 0
	})
	ctx := context.Background()
	msg, err := srv.PostAs(slackemu.IncidentsChannelID, slackemu.UserAlice, "x", "")
	must(t, err)
	if h := strings.Join(retryHeaders(app.wait(2)), " "); h != ": 1:http_timeout" {
		t.Fatalf("retry headers %q", h)
	}
	err = srv.React(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob, "pushpin")
	if err == nil || !strings.Contains(err.Error(), "HTTP 503") || !strings.Contains(err.Error(), "4 attempt") {
		t.Fatalf("React with an app that always fails: %v", err)
	}
	ev := srv.DeliveredEvents()[1]
	if ev.Attempts != 4 || ev.Acked || ev.Status != 503 || ev.Error == "" {
		t.Fatalf("failed event = %+v", ev)
	}
	// The reaction stays: the app missed it, Slack did not undo it.
	if m := srv.Messages(slackemu.IncidentsChannelID)[0]; len(m.Reactions) != 1 {
		t.Fatalf("reactions = %+v", m.Reactions)
	}
}

// TestRedeliver re-sends a delivered event as the next retry.
func TestRedeliver(t *testing.T) {
	srv, _, app := newEventEmu(t, nil)
	ctx := context.Background()
	_, err := srv.PostAs(slackemu.IncidentsChannelID, slackemu.UserAlice, "x", "")
	must(t, err)
	app.wait(1)
	id := srv.DeliveredEvents()[0].EventID
	must(t, srv.Redeliver(ctx, id))
	must(t, srv.Redeliver(ctx, id))
	got := app.deliveries()
	if h := strings.Join(retryHeaders(got), " "); len(got) != 3 || h != ": 1:http_timeout 2:http_timeout" {
		t.Fatalf("retry headers %q", h)
	}
	if string(got[2].body) != string(got[0].body) {
		t.Fatal("the redelivered event differs")
	}
	if ev := srv.DeliveredEvents()[0]; ev.Attempts != 3 {
		t.Fatalf("attempts = %d", ev.Attempts)
	}
	if err := srv.Redeliver(ctx, "Ev0NOPE"); err == nil || !strings.Contains(err.Error(), "Ev0NOPE") {
		t.Fatalf("Redeliver of an unknown event: %v", err)
	}
}

// TestEventsDoNotBlockTheAPI: the app's handler calls the Web API (whose
// call emits another event) before answering; nothing deadlocks.
func TestEventsDoNotBlockTheAPI(t *testing.T) {
	var api *slack.Client
	var ts string
	srv, api, app := newEventEmu(t, func(n int) (int, time.Duration) {
		if n == 1 { // the reaction: the app pins the message from its handler
			if err := api.AddPin(slackemu.IncidentsChannelID, slack.ItemRef{Channel: slackemu.IncidentsChannelID, Timestamp: ts}); err != nil {
				t.Errorf("pins.add from the handler: %v", err)
			}
		}
		return http.StatusOK, 0
	})
	msg, err := srv.PostAs(slackemu.IncidentsChannelID, slackemu.UserAlice, "x", "")
	must(t, err)
	ts = msg.TS
	app.wait(1)
	must(t, srv.React(context.Background(), slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob, "pushpin"))
	if ev := inner[*slackevents.PinAddedEvent](t, app.wait(3)[2]); ev.User != slackemu.BotUserID {
		t.Fatalf("pin_added = %+v", ev)
	}
	if ev := srv.DeliveredEvents()[1]; ev.Attempts != 1 || !ev.Acked {
		t.Fatalf("the reaction was not acknowledged at once: %+v", ev)
	}
}
