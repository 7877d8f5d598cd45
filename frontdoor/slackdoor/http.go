package slackdoor

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"

	"github.com/slack-go/slack"
)

// The HTTP handlers of Slack's three request kinds; the frontdoor package
// mounts them on their routes. Every Slack request must carry a valid
// signature made with the signing secret (401 otherwise), a body of at
// most 1 MiB (413 otherwise) and the content type Slack sends for its kind
// (400 otherwise); nothing runs before these checks pass. Every request is
// answered within 3 seconds, whatever Temporal does.

// The content types of Slack's requests: slash commands and interactions
// are forms, events JSON.
const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

// Commands serves slash commands (/incident, /closeincident).
func (f *FrontDoor) Commands() http.Handler {
	return f.verified(formType, "slash commands", f.serveCommand)
}

// Interactions serves buttons, shortcuts and modal submissions.
func (f *FrontDoor) Interactions() http.Handler {
	return f.verified(formType, "interactions", f.serveInteraction)
}

// Events serves the Events API (url_verification, app mentions, and the
// reactions, pins, edits and deletions that change an incident's timeline).
func (f *FrontDoor) Events() http.Handler { return f.verified(jsonType, "events", f.serveEvent) }

// verified checks a Slack request's size and signature, then that it is of
// content type want (what names the kind of request for the refusal), then
// hands the body to next, within the request's acknowledgement budget.
func (f *FrontDoor) verified(want, what string, next func(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, status, err := verifyRequest(r, f.secret)
		if err != nil {
			f.log.Warn("refused a Slack request", "path", r.URL.Path, "status", status, "err", err, "remote", r.RemoteAddr)
			http.Error(w, http.StatusText(status), status)
			return
		}
		if got, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); got != want {
			f.log.Warn("refused a Slack request of the wrong content type", "path", r.URL.Path, "content_type", r.Header.Get("Content-Type"), "want", want, "remote", r.RemoteAddr)
			http.Error(w, what+" must be "+want, http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		ctx, cancel := context.WithTimeout(r.Context(), ackBudget)
		defer cancel()
		next(ctx, w, r, body)
	})
}

func (f *FrontDoor) serveCommand(ctx context.Context, w http.ResponseWriter, r *http.Request, _ []byte) {
	serveParsed(ctx, w, r, slack.SlashCommandParse, "unreadable slash command", f.command)
}

func (f *FrontDoor) serveInteraction(ctx context.Context, w http.ResponseWriter, r *http.Request, _ []byte) {
	serveParsed(ctx, w, r, slack.InteractionCallbackParse, "unreadable interaction payload", f.interaction)
}

// serveParsed parses a form-encoded Slack request with parse (400 with
// unreadable when it can't) and answers what handle returns: its JSON, or
// an empty 200 for nil. R is a pointer type, so nil is tested on the
// pointer itself and never hides inside an interface.
func serveParsed[T any, R any](ctx context.Context, w http.ResponseWriter, r *http.Request,
	parse func(*http.Request) (T, error), unreadable string, handle func(context.Context, T) *R) {
	req, err := parse(r)
	if err != nil {
		http.Error(w, unreadable, http.StatusBadRequest)
		return
	}
	reply := handle(ctx, req)
	if reply == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, reply)
}

func (f *FrontDoor) serveEvent(_ context.Context, w http.ResponseWriter, r *http.Request, body []byte) {
	task := parseEvent(body, f.reaction)
	if task.Challenge != "" {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, task.Challenge)
		return
	}
	// Answer 200 whatever the event: a 4xx only makes Slack send it again.
	w.WriteHeader(http.StatusOK)
	f.event(task, r.Header.Get("X-Slack-Retry-Num") != "")
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
