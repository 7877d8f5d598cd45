package pagerdutyemu

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one event the Events API accepted, as GET /_emu/state lists it.
type Event struct {
	RoutingKey  string          `json:"routing_key"`
	DedupKey    string          `json:"dedup_key"`
	EventAction string          `json:"event_action"`
	Payload     json.RawMessage `json:"payload,omitempty"`
	Links       json.RawMessage `json:"links,omitempty"`
	Images      json.RawMessage `json:"images,omitempty"`
	Client      string          `json:"client,omitempty"`
	ReceivedAt  time.Time       `json:"received_at"`
	// Outcome says what the event did: "opened" (a new alert),
	// "deduplicated" (a trigger folded into an open alert),
	// "acknowledged", "resolved", or "ignored" (an acknowledge or resolve
	// of no open alert).
	Outcome string `json:"outcome"`
}

// eventsAnswer is the Events API's answer body.
type eventsAnswer struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key,omitempty"`
	Errors   []string `json:"errors,omitempty"`
}

// wireEvent is the body of POST /v2/enqueue.
type wireEvent struct {
	RoutingKey  *string         `json:"routing_key"`
	EventAction *string         `json:"event_action"`
	DedupKey    *string         `json:"dedup_key"`
	Payload     json.RawMessage `json:"payload"`
	Links       json.RawMessage `json:"links"`
	Images      json.RawMessage `json:"images"`
	Client      *string         `json:"client"`
	ClientURL   *string         `json:"client_url"`
}

// wirePayload is an event's payload.
type wirePayload struct {
	Summary       *string         `json:"summary"`
	Source        *string         `json:"source"`
	Severity      *string         `json:"severity"`
	Timestamp     *string         `json:"timestamp"`
	Component     *string         `json:"component"`
	Group         *string         `json:"group"`
	Class         *string         `json:"class"`
	CustomDetails json.RawMessage `json:"custom_details"`
}

var routingKeyFormat = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)

var severities = []string{"critical", "error", "warning", "info"}

// ParsedEvent is a checked event: what the emulator acts on.
type ParsedEvent struct {
	RoutingKey, Action, DedupKey string
	Summary, Source, Severity    string
	Client                       string
	Payload, Links, Images       json.RawMessage
}

// ParseEvent checks body as PagerDuty's Events API v2 does and returns the
// event, or every problem with it in PagerDuty's words.
func ParseEvent(body []byte) (ParsedEvent, []string) {
	var ev wireEvent
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&ev); err != nil {
		return ParsedEvent{}, []string{"Invalid JSON: " + err.Error()}
	}
	if dec.More() {
		return ParsedEvent{}, []string{"Invalid JSON: more than one object"}
	}
	var errs []string
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	out := ParsedEvent{RoutingKey: str(ev.RoutingKey), Action: str(ev.EventAction), DedupKey: str(ev.DedupKey),
		Client: str(ev.Client), Payload: ev.Payload, Links: ev.Links, Images: ev.Images}
	if strings.TrimSpace(out.RoutingKey) == "" {
		errs = append(errs, "'routing_key' is missing or blank")
	} else if out.RoutingKey != SandboxRoutingKey && !routingKeyFormat.MatchString(out.RoutingKey) {
		errs = append(errs, "'routing_key' must be a 32 character Integration Key")
	}
	switch out.Action {
	case "trigger", "acknowledge", "resolve":
	case "":
		errs = append(errs, "'event_action' is missing or blank")
	default:
		errs = append(errs, "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')")
	}
	switch {
	case utf8.RuneCountInString(out.DedupKey) > maxDedupKey:
		errs = append(errs, fmt.Sprintf("'dedup_key' must be at most %d characters", maxDedupKey))
	case out.DedupKey == "" && (out.Action == "acknowledge" || out.Action == "resolve"):
		errs = append(errs, "'dedup_key' is missing or blank (required for acknowledge and resolve events)")
	}
	if out.Action == "trigger" {
		errs = append(errs, out.checkPayload()...)
	}
	errs = append(errs, checkList("links", ev.Links, "href")...)
	errs = append(errs, checkList("images", ev.Images, "src")...)
	return out, errs
}

// checkPayload checks a trigger's payload.
func (e *ParsedEvent) checkPayload() []string {
	if len(e.Payload) == 0 || string(e.Payload) == "null" {
		return []string{"'payload' is missing or blank (required for trigger events)"}
	}
	var p wirePayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return []string{"'payload' is invalid: " + err.Error()}
	}
	var errs []string
	switch {
	case p.Summary == nil || strings.TrimSpace(*p.Summary) == "":
		errs = append(errs, "'payload.summary' is missing or blank")
	case utf8.RuneCountInString(*p.Summary) > maxSummary:
		errs = append(errs, fmt.Sprintf("'payload.summary' must be at most %d characters", maxSummary))
	default:
		e.Summary = *p.Summary
	}
	switch {
	case p.Source == nil || strings.TrimSpace(*p.Source) == "":
		errs = append(errs, "'payload.source' is missing or blank")
	case utf8.RuneCountInString(*p.Source) > maxFieldLen:
		errs = append(errs, fmt.Sprintf("'payload.source' must be at most %d characters", maxFieldLen))
	default:
		e.Source = *p.Source
	}
	switch {
	case p.Severity == nil || *p.Severity == "":
		errs = append(errs, "'payload.severity' is missing or blank")
	case !slices.Contains(severities, *p.Severity):
		errs = append(errs, "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')")
	default:
		e.Severity = *p.Severity
	}
	if p.Timestamp != nil && *p.Timestamp != "" {
		if !isTimestamp(*p.Timestamp) {
			errs = append(errs, "'payload.timestamp' is invalid (must be an ISO 8601 timestamp such as 2015-07-17T08:42:58.315+0000)")
		}
	}
	for name, v := range map[string]*string{"component": p.Component, "group": p.Group, "class": p.Class} {
		if v != nil && utf8.RuneCountInString(*v) > maxFieldLen {
			errs = append(errs, fmt.Sprintf("'payload.%s' must be at most %d characters", name, maxFieldLen))
		}
	}
	slices.Sort(errs)
	return errs
}

// checkList checks links or images: a list of objects, each with field.
func checkList(name string, raw json.RawMessage, field string) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var items []map[string]any
	if err := json.Unmarshal(raw, &items); err != nil {
		return []string{fmt.Sprintf("'%s' must be a list of objects", name)}
	}
	for i, it := range items {
		if v, ok := it[field].(string); !ok || strings.TrimSpace(v) == "" {
			return []string{fmt.Sprintf("'%s[%d].%s' is missing or blank", name, i, field)}
		}
	}
	return nil
}

func (s *Server) handleEnqueue(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxEventBody+1))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, eventsAnswer{Status: "invalid event", Message: "Event object is invalid", Errors: []string{"could not read the body"}})
		return
	}
	if len(body) > maxEventBody {
		writeJSON(w, http.StatusRequestEntityTooLarge, eventsAnswer{Status: "invalid event", Message: "Event object is too large",
			Errors: []string{fmt.Sprintf("an event may be at most %d bytes", maxEventBody)}})
		return
	}
	ev, errs := ParseEvent(body)

	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.takeFaultLocked("enqueue")
	if f != nil && !f.after {
		f.answer(w)
		return
	}
	if len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, eventsAnswer{Status: "invalid event", Message: "Event object is invalid", Errors: errs})
		return
	}
	if len(s.opts.RoutingKeys) > 0 && ev.RoutingKey != SandboxRoutingKey && !slices.Contains(s.opts.RoutingKeys, ev.RoutingKey) {
		writeJSON(w, http.StatusBadRequest, eventsAnswer{Status: "invalid event", Message: "Event object is invalid", Errors: []string{"Invalid routing key"}})
		return
	}
	if wait, ok := s.takeRateLocked("events\x00"+ev.RoutingKey, s.opts.EventsPerMinute); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds()+0.999)))
		writeJSON(w, http.StatusTooManyRequests, eventsAnswer{Status: "throttle event",
			Message: "Requests for this service are arriving too quickly. Please retry later."})
		return
	}
	if ev.DedupKey == "" {
		ev.DedupKey = randomKey()
	}
	outcome := s.applyLocked(ev)
	s.events = append(s.events, Event{RoutingKey: ev.RoutingKey, DedupKey: ev.DedupKey, EventAction: ev.Action,
		Payload: ev.Payload, Links: ev.Links, Images: ev.Images, Client: ev.Client, ReceivedAt: s.now(), Outcome: outcome})
	if n := len(s.events); n > maxKeptEvents {
		s.events = slices.Delete(s.events, 0, n-maxKeptEvents)
	}
	s.saveLocked()
	if f != nil { // processed, but the answer is lost
		f.answer(w)
		return
	}
	writeJSON(w, http.StatusAccepted, eventsAnswer{Status: "success", Message: "Event processed", DedupKey: ev.DedupKey})
}

// randomKey is the dedup key PagerDuty makes for a trigger that has none.
func randomKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// isTimestamp reports whether s is an ISO 8601 time as PagerDuty takes it:
// RFC 3339, or with a colon-less offset (2015-07-17T08:42:58.315+0000).
func isTimestamp(s string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
