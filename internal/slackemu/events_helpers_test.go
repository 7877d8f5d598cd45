package slackemu_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// eventDelivery is one POST /slack/events the app received.
type eventDelivery struct {
	header http.Header
	body   []byte
	event  slackevents.EventsAPIEvent
}

// eventApp is an app's Events API endpoint: it checks the signature with
// slack-go, decodes the event with slackevents and answers with the status
// answer gives for the n-th delivery (0-based), after its delay.
type eventApp struct {
	t      *testing.T
	answer func(n int) (status int, delay time.Duration)

	mu    sync.Mutex
	got   []eventDelivery
	other int // requests that were not signed events
}

func (a *eventApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	sv, err := slack.NewSecretsVerifier(r.Header, secret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil || r.URL.Path != "/slack/events" || r.Header.Get("Content-Type") != "application/json" {
		a.mu.Lock()
		a.other++
		a.mu.Unlock()
		http.Error(w, "bad request", http.StatusUnauthorized)
		return
	}
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		a.t.Errorf("ParseEvent: %v\n%s", err, body)
	}
	a.mu.Lock()
	n := len(a.got)
	a.got = append(a.got, eventDelivery{header: r.Header.Clone(), body: body, event: ev})
	a.mu.Unlock()
	status, delay := http.StatusOK, time.Duration(0)
	if a.answer != nil {
		status, delay = a.answer(n)
	}
	time.Sleep(delay)
	w.WriteHeader(status)
}

// deliveries returns what the app received so far.
func (a *eventApp) deliveries() []eventDelivery {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]eventDelivery(nil), a.got...)
}

// wait waits until the app received n deliveries and returns them.
func (a *eventApp) wait(n int) []eventDelivery {
	a.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := a.deliveries()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("the app received %d events, want %d", len(got), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rejected returns how many requests were not signed Events API posts.
func (a *eventApp) rejected() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.other
}

// newEventEmu starts an emulator whose front door is an eventApp, with
// short event timeouts and retry delays.
func newEventEmu(t *testing.T, answer func(n int) (int, time.Duration)) (*slackemu.Server, *slack.Client, *eventApp) {
	t.Helper()
	srv, api, _ := newEmu(t, slackemu.Options{EventTimeout: 200 * time.Millisecond,
		EventRetryDelays: []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond}})
	app := &eventApp{t: t, answer: answer}
	door := httptest.NewServer(app)
	t.Cleanup(door.Close)
	srv.SetFrontDoor(door.URL, secret)
	return srv, api, app
}

// inner returns the typed inner event of a delivery.
func inner[T any](t *testing.T, d eventDelivery) T {
	t.Helper()
	ev, ok := d.event.InnerEvent.Data.(T)
	if !ok {
		var zero T
		t.Fatalf("inner event is %T, want %T:\n%s", d.event.InnerEvent.Data, zero, d.body)
	}
	return ev
}

// waitAcked waits until the emulator has recorded n events, each acknowledged, and returns them.
func waitAcked(t *testing.T, srv *slackemu.Server, n int) []slackemu.DeliveredEvent {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := srv.DeliveredEvents()
		acked := 0
		for _, e := range got {
			if e.Acked {
				acked++
			}
		}
		if acked >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events acknowledged: %+v", acked, n, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
