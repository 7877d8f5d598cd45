package starter

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Handler serves Slack's HTTP requests: POST /slack/commands (slash
// commands), POST /slack/interactions (buttons, shortcuts, modals),
// POST /slack/events (Events API), and GET /healthz. Every Slack request must
// carry a valid signature made with the signing secret (401 otherwise) and a
// body of at most 1 MiB (413 otherwise); nothing runs before both checks
// pass. Every request is answered within 3 seconds, whatever Temporal does.
func (f *FrontDoor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.Handle("POST /slack/commands", f.verified(f.serveCommand))
	mux.Handle("POST /slack/interactions", f.verified(f.serveInteraction))
	mux.Handle("POST /slack/events", f.verified(f.serveEvent))
	return mux
}

// verified checks a Slack request's size and signature, then hands the body
// to next, within the request's acknowledgement budget.
func (f *FrontDoor) verified(next func(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, status, err := verifyRequest(r, f.secret)
		if err != nil {
			f.log.Warn("refused a Slack request", "path", r.URL.Path, "status", status, "err", err, "remote", r.RemoteAddr)
			http.Error(w, http.StatusText(status), status)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		ctx, cancel := context.WithTimeout(r.Context(), ackBudget)
		defer cancel()
		next(ctx, w, r, body)
	})
}

func (f *FrontDoor) serveCommand(ctx context.Context, w http.ResponseWriter, r *http.Request, _ []byte) {
	sc, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "unreadable slash command", http.StatusBadRequest)
		return
	}
	reply := f.command(ctx, sc)
	if reply == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, reply)
}

func (f *FrontDoor) serveInteraction(ctx context.Context, w http.ResponseWriter, r *http.Request, _ []byte) {
	cb, err := slack.InteractionCallbackParse(r)
	if err != nil {
		http.Error(w, "unreadable interaction payload", http.StatusBadRequest)
		return
	}
	resp := f.interaction(ctx, cb)
	if resp == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, resp)
}

func (f *FrontDoor) serveEvent(_ context.Context, w http.ResponseWriter, r *http.Request, body []byte) {
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		// Answer 200 anyway: a 4xx only makes Slack send it again.
		f.log.Warn("unreadable event", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	if ev.Type == slackevents.URLVerification {
		if ch, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent); ok {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, ch.Challenge)
			return
		}
	}
	var eventID string
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		eventID = cb.EventID
	}
	f.event(ev, eventID, r.Header.Get("X-Slack-Retry-Num") != "")
	w.WriteHeader(http.StatusOK)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}
