package pagerdutyemu

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Delivery is one webhook the emulator posted (or tried to), as GET
// /_emu/state lists it.
type Delivery struct {
	EventID   string `json:"event_id"`
	EventType string `json:"event_type"`
	DedupKey  string `json:"dedup_key"`
	URL       string `json:"url"`
	Attempts  int    `json:"attempts"`
	// Status is the subscriber's last HTTP status (0: not reached).
	Status    int    `json:"status"`
	Error     string `json:"error,omitempty"`
	Delivered bool   `json:"delivered"`
	Done      bool   `json:"done"`
}

type delivery struct {
	index       int // in s.deliveries
	eventID     string
	url, secret string
	body        []byte
}

// webhookEnvelope is a v3 webhook's body.
type webhookEnvelope struct {
	Event webhookEvent `json:"event"`
}

type webhookEvent struct {
	ID           string          `json:"id"`
	EventType    string          `json:"event_type"`
	ResourceType string          `json:"resource_type"`
	OccurredAt   string          `json:"occurred_at"`
	Agent        *reference      `json:"agent"`
	Client       any             `json:"client"`
	Data         webhookIncident `json:"data"`
}

type reference struct {
	HTMLURL string `json:"html_url,omitempty"`
	ID      string `json:"id"`
	Self    string `json:"self,omitempty"`
	Summary string `json:"summary"`
	Type    string `json:"type"`
}

type webhookIncident struct {
	ID               string      `json:"id"`
	Type             string      `json:"type"`
	Self             string      `json:"self"`
	HTMLURL          string      `json:"html_url"`
	Number           int         `json:"number"`
	Status           string      `json:"status"`
	IncidentKey      string      `json:"incident_key"`
	CreatedAt        string      `json:"created_at"`
	Title            string      `json:"title"`
	Service          reference   `json:"service"`
	Assignees        []reference `json:"assignees"`
	EscalationPolicy reference   `json:"escalation_policy"`
	Teams            []reference `json:"teams"`
	Priority         any         `json:"priority"`
	Urgency          string      `json:"urgency"`
	ConferenceBridge any         `json:"conference_bridge"`
	ResolveReason    any         `json:"resolve_reason"`
}

// Sign returns the X-PagerDuty-Signature of body under secret:
// "v1=" + hex HMAC-SHA256.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// webBase is where the alerts' pages are: the server's URL, or a
// stand-in before it listens.
func (s *Server) webBase() string {
	if u := s.srv.URL(); u != "" {
		return u
	}
	return "http://pagerduty.invalid"
}

// notifyLocked queues the webhook of a change of a's status.
func (s *Server) notifyLocked(a *Alert, eventType string, by agent) {
	if s.webhookURL == "" {
		return
	}
	base := s.webBase()
	ev := webhookEnvelope{Event: webhookEvent{
		ID: s.newID("01WH"), EventType: eventType, ResourceType: "incident",
		OccurredAt: s.now().Format("2006-01-02T15:04:05.000Z"),
		Agent:      &reference{ID: by.ID, Summary: by.Summary, Type: by.Type, Self: base + "/users/" + by.ID, HTMLURL: base + "/users/" + by.ID},
		Data: webhookIncident{ID: a.ID, Type: "incident", Self: base + "/incidents/" + a.ID, HTMLURL: base + "/incidents/" + a.ID,
			Number: a.Number, Status: a.Status, IncidentKey: a.DedupKey, CreatedAt: a.CreatedAt.Format(time.RFC3339),
			Title:     a.Summary,
			Service:   reference{ID: "PSVC" + shortKey(a.RoutingKey), Summary: a.Service, Type: "service_reference"},
			Assignees: []reference{}, Teams: []reference{}, Urgency: "high",
			EscalationPolicy: reference{ID: SandboxEscalationPolicy, Summary: "Sandbox escalation", Type: "escalation_policy_reference"}},
	}}
	if by.Type == "service_reference" {
		ev.Event.Agent.Self, ev.Event.Agent.HTMLURL = "", ""
	}
	body, _ := json.Marshal(ev)
	s.deliveries = append(s.deliveries, Delivery{EventID: ev.Event.ID, EventType: eventType, DedupKey: a.DedupKey, URL: s.webhookURL})
	d := delivery{index: len(s.deliveries) - 1, eventID: ev.Event.ID, url: s.webhookURL, secret: s.secret, body: body}
	select {
	case s.queue <- d:
	default:
		s.deliveries[d.index].Done, s.deliveries[d.index].Error = true, "dropped: more than 1024 webhooks waiting"
	}
}

// sendWebhooks posts the queued webhooks in order until Close.
func (s *Server) sendWebhooks() {
	defer s.sending.Done()
	for {
		select {
		case <-s.stop:
			return
		case d := <-s.queue:
			s.deliver(d)
		}
	}
}

// deliver posts one webhook, retrying with backoff while the subscriber
// fails, as PagerDuty does.
func (s *Server) deliver(d delivery) {
	wait := s.opts.WebhookRetryDelay
	for attempt := 1; attempt <= s.opts.WebhookAttempts; attempt++ {
		status, err := s.post(d)
		s.mu.Lock()
		if d.index >= len(s.deliveries) || s.deliveries[d.index].EventID != d.eventID {
			s.mu.Unlock() // forgotten by Reset
			return
		}
		rec := &s.deliveries[d.index]
		rec.Attempts, rec.Status = attempt, status
		rec.Error = ""
		if err != nil {
			rec.Error = err.Error()
		}
		ok := err == nil && status >= 200 && status < 300
		rec.Delivered = ok
		rec.Done = ok || attempt == s.opts.WebhookAttempts
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-s.stop:
			return
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (s *Server) post(d delivery) (int, error) {
	req, err := http.NewRequest(http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "PagerDuty-Webhook/V3.0")
	req.Header.Set("X-Webhook-Id", fmt.Sprintf("emu-%d", d.index+1))
	req.Header.Set("X-Webhook-Subscription", "PSUBEMU")
	if d.secret != "" {
		req.Header.Set("X-PagerDuty-Signature", Sign(d.secret, d.body))
	}
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("the subscriber answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// Deliveries returns a copy of every webhook delivery, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}
