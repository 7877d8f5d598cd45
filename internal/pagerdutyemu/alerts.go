package pagerdutyemu

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Alert statuses.
const (
	StatusTriggered    = "triggered"
	StatusAcknowledged = "acknowledged"
	StatusResolved     = "resolved"
)

// Alert is a PagerDuty incident opened by a trigger, as GET /_emu/state
// lists it.
type Alert struct {
	ID             string    `json:"id"`
	Number         int       `json:"number"`
	DedupKey       string    `json:"dedup_key"`
	RoutingKey     string    `json:"routing_key"`
	Service        string    `json:"service"`
	Status         string    `json:"status"`
	Summary        string    `json:"summary"`
	Severity       string    `json:"severity"`
	Source         string    `json:"source"`
	CreatedAt      time.Time `json:"created_at"`
	Deduplicated   int       `json:"deduplicated"`
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	AcknowledgedBy string    `json:"acknowledged_by,omitempty"`
	ResolvedAt     time.Time `json:"resolved_at,omitzero"`
	ResolvedBy     string    `json:"resolved_by,omitempty"`
}

func (a *Alert) open() bool { return a.Status != StatusResolved }

// agent is who changed an alert, as a webhook names it.
type agent struct {
	ID, Summary, Type string
}

// openAlertLocked returns the open alert of dedup key, or nil.
func (s *Server) openAlertLocked(dedupKey string) *Alert {
	for i := len(s.alerts) - 1; i >= 0; i-- {
		if a := s.alerts[i]; a.DedupKey == dedupKey && a.open() {
			return a
		}
	}
	return nil
}

func (s *Server) serviceName(routingKey string) string {
	if n := s.opts.Services[routingKey]; n != "" {
		return n
	}
	return "Sandbox service"
}

// applyLocked applies an accepted event to the alerts and says what it did.
func (s *Server) applyLocked(ev ParsedEvent) string {
	open := s.openAlertLocked(ev.DedupKey)
	byIntegration := agent{ID: "PSVC" + shortKey(ev.RoutingKey), Summary: s.serviceName(ev.RoutingKey) + " (Events API v2)", Type: "service_reference"}
	switch ev.Action {
	case "trigger":
		if open != nil {
			open.Deduplicated++
			return "deduplicated"
		}
		s.nextNum++
		a := &Alert{ID: s.newID("Q"), Number: s.nextNum, DedupKey: ev.DedupKey, RoutingKey: ev.RoutingKey,
			Service: s.serviceName(ev.RoutingKey), Status: StatusTriggered, Summary: ev.Summary,
			Severity: ev.Severity, Source: ev.Source, CreatedAt: s.now()}
		s.alerts = append(s.alerts, a)
		s.notifyLocked(a, "incident.triggered", byIntegration)
		return "opened"
	case "acknowledge":
		if open == nil || open.Status != StatusTriggered {
			return "ignored"
		}
		s.acknowledgeLocked(open, byIntegration)
		return "acknowledged"
	default:
		if open == nil {
			return "ignored"
		}
		s.resolveLocked(open, byIntegration)
		return "resolved"
	}
}

func shortKey(k string) string {
	if len(k) > 6 {
		k = k[:6]
	}
	return strings.ToUpper(k)
}

func (s *Server) acknowledgeLocked(a *Alert, by agent) {
	a.Status, a.AcknowledgedAt, a.AcknowledgedBy = StatusAcknowledged, s.now(), by.Summary
	s.notifyLocked(a, "incident.acknowledged", by)
}

func (s *Server) resolveLocked(a *Alert, by agent) {
	a.Status, a.ResolvedAt, a.ResolvedBy = StatusResolved, s.now(), by.Summary
	s.notifyLocked(a, "incident.resolved", by)
}

// ErrNoOpenAlert is returned by Acknowledge and Resolve for a dedup key
// with no open alert.
var ErrNoOpenAlert = errors.New("no open alert has that dedup key")

// Acknowledge acknowledges the open alert of dedupKey as the person by (a
// fixture user's ID or name, or any name), as if they pressed Acknowledge
// in PagerDuty, and posts the incident.acknowledged webhook.
func (s *Server) Acknowledge(dedupKey, by string) error {
	return s.act(dedupKey, by, false)
}

// Resolve resolves the open alert of dedupKey as the person by, and posts
// the incident.resolved webhook.
func (s *Server) Resolve(dedupKey, by string) error {
	return s.act(dedupKey, by, true)
}

func (s *Server) act(dedupKey, by string, resolve bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.openAlertLocked(dedupKey)
	if a == nil {
		return fmt.Errorf("%w: %q", ErrNoOpenAlert, dedupKey)
	}
	who := s.personLocked(by)
	switch {
	case resolve:
		s.resolveLocked(a, who)
	case a.Status == StatusAcknowledged:
		return fmt.Errorf("the alert of %q is acknowledged already", dedupKey)
	default:
		s.acknowledgeLocked(a, who)
	}
	s.saveLocked()
	return nil
}

// personLocked names who acted: a fixture user by ID or name, else by as
// given (or the first user when by is empty).
func (s *Server) personLocked(by string) agent {
	by = strings.TrimSpace(by)
	for _, u := range s.fixtures.Users {
		if by == u.ID || strings.EqualFold(by, u.Name) || by == "" {
			return agent{ID: u.ID, Summary: u.Name, Type: "user_reference"}
		}
	}
	if by == "" {
		by = "Sandbox Responder"
	}
	return agent{ID: "PUSER00", Summary: by, Type: "user_reference"}
}

// Alerts returns a copy of every alert, oldest first.
func (s *Server) Alerts() []Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Alert, len(s.alerts))
	for i, a := range s.alerts {
		out[i] = *a
	}
	return out
}

// Events returns a copy of the events accepted (the last 1000), oldest
// first.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}
