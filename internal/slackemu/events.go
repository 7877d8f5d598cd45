package slackemu

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// defaultEventTimeout is Slack's: an app must answer an event within 3 s.
const defaultEventTimeout = 3 * time.Second

// defaultEventRetryDelays are much shorter than Slack's (nearly at once, then
// after about one and five minutes) so a sandbox whose app was down catches up.
var defaultEventRetryDelays = []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}

// maxEventRecords bounds what DeliveredEvents remembers; older events are dropped.
const maxEventRecords = 10000

// DeliveredEvent is an Events API event the emulator sent (or is about to
// send) to the app, as DeliveredEvents reports it.
type DeliveredEvent struct {
	EventID  string          // "Ev…", the same on every retry
	Type     string          // the inner event's type: "reaction_added", "message", ...
	Subtype  string          // the inner event's subtype: "message_changed", ...; "" for most
	Event    json.RawMessage // the inner event, as sent
	Attempts int             // deliveries so far, retries and Redeliver included; 0 while queued
	Status   int             // HTTP status of the last attempt (200 for a Socket Mode ack; 0 without an answer)
	Error    string          // why the last attempt failed; "" once acknowledged or while queued
	Acked    bool            // the last attempt was acknowledged (2xx over HTTP, an ack over Socket Mode)
}

// eventRecord is one event and the outcome of its deliveries (s.mu guards it).
type eventRecord struct {
	DeliveredEvent
	envelope json.RawMessage // the outer event_callback envelope
}

// eventJob is one trip of an event through the queue: its first delivery with
// Slack's retries, or one Redeliver.
type eventJob struct {
	rec       *eventRecord
	redeliver bool // one attempt, numbered as the retry after those made
	done      chan struct{}
	err       error // set before done is closed
}

// eventQueue delivers events one at a time, in order, on its own goroutine,
// so that a Web API call causing an event answers without waiting for the
// app (whose handler may be the caller). s.mu guards jobs, records, byID
// and seq; the others are set once by init.
type eventQueue struct {
	start   sync.Once
	wake    chan struct{}
	jobs    []*eventJob
	records []*eventRecord
	byID    map[string]*eventRecord
	prefix  string // random per emulator: event IDs differ across restarts
	seq     int
}

// init prepares an empty queue.
func (q *eventQueue) init() {
	q.wake, q.prefix, q.byID = make(chan struct{}, 1), newIDPrefix()+newIDPrefix(), map[string]*eventRecord{}
}

// eventsOnLocked reports whether events have somewhere to go: a front door
// with the HTTP transport, or a Socket Mode connection with the Socket one.
func (s *Server) eventsOnLocked() bool {
	if s.transport == Socket {
		return len(s.sockets) > 0
	}
	return s.front.base != ""
}

// eventTSLocked returns the event_ts of an event happening now (s.mu held):
// the clock in microseconds, never before the last ts handed out.
func (s *Server) eventTSLocked() string {
	us := s.now().UnixMicro()
	if us < s.st.lastTS {
		us = s.st.lastTS
	}
	return formatTS(us)
}

// emitLocked queues the event build makes from its event_ts, when events
// are on (s.mu held); it returns the job, or nil when nothing was queued.
// The event is encoded at once, so later changes do not leak into it.
func (s *Server) emitLocked(channelID string, build func(eventTS string) obj) *eventJob {
	if !s.eventsOnLocked() {
		return nil
	}
	q := &s.events
	inner := build(s.eventTSLocked())
	b, _ := json.Marshal(inner) // maps, strings, numbers and raw JSON: cannot fail
	q.seq++
	typ, _ := inner["type"].(string)
	sub, _ := inner["subtype"].(string)
	rec := &eventRecord{DeliveredEvent: DeliveredEvent{EventID: fmt.Sprintf("Ev0%s%04X", q.prefix, q.seq),
		Type: typ, Subtype: sub, Event: b}}
	ctxJSON, _ := json.Marshal(obj{"et": typ, "tid": TeamID, "aid": AppID, "cid": channelID})
	rec.envelope, _ = json.Marshal(obj{"token": VerificationToken, "team_id": TeamID, "context_team_id": TeamID,
		"context_enterprise_id": nil, "api_app_id": AppID, "event": json.RawMessage(b), "type": "event_callback",
		"event_id": rec.EventID, "event_time": s.now().Unix(), "is_ext_shared_channel": false,
		"authorizations": []obj{{"enterprise_id": nil, "team_id": TeamID, "user_id": BotUserID, "is_bot": true,
			"is_enterprise_install": false}},
		"event_context": "4-" + base64.RawURLEncoding.EncodeToString(ctxJSON)})
	if len(q.records) >= maxEventRecords {
		for _, old := range q.records[:len(q.records)/2] {
			delete(q.byID, old.EventID)
		}
		q.records = append([]*eventRecord(nil), q.records[len(q.records)/2:]...)
	}
	q.records = append(q.records, rec)
	q.byID[rec.EventID] = rec
	return s.enqueueLocked(rec, false)
}

// enqueueLocked queues a trip of rec and wakes the queue (s.mu held).
func (s *Server) enqueueLocked(rec *eventRecord, redeliver bool) *eventJob {
	job := &eventJob{rec: rec, redeliver: redeliver, done: make(chan struct{})}
	s.events.jobs = append(s.events.jobs, job)
	s.events.start.Do(func() { go s.runEvents() })
	select {
	case s.events.wake <- struct{}{}:
	default:
	}
	return job
}

// runEvents is the queue's goroutine: it delivers jobs in order until Close.
func (s *Server) runEvents() {
	for {
		s.mu.Lock()
		var job *eventJob
		if len(s.events.jobs) > 0 {
			job = s.events.jobs[0]
			s.events.jobs = s.events.jobs[1:]
		}
		s.mu.Unlock()
		if job == nil {
			select {
			case <-s.events.wake:
				continue
			case <-s.done:
				return
			}
		}
		job.err = s.deliverEvent(job)
		close(job.done)
	}
}

// waitEvent waits for job's outcome (nil job: nothing was queued).
func (s *Server) waitEvent(ctx context.Context, job *eventJob) error {
	if job == nil {
		return nil
	}
	select {
	case <-job.done:
		return job.err
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return errors.New("slackemu: server closed before the event was delivered")
	}
}

// deliverEvent makes the attempts of one job until the app acknowledges:
// the first delivery and one retry per retry delay, or one Redeliver.
func (s *Server) deliverEvent(job *eventJob) error {
	s.mu.Lock()
	rec := job.rec
	id, typ, first := rec.EventID, rec.Type, 0
	if job.redeliver {
		first = max(rec.Attempts, 1)
	}
	s.mu.Unlock()
	delays := s.opts.EventRetryDelays
	if job.redeliver {
		delays = nil
	}
	reason := ""
	var err error
	for i := 0; i <= len(delays); i++ {
		if i > 0 {
			t := time.NewTimer(delays[i-1])
			select {
			case <-t.C:
			case <-s.done:
				t.Stop()
				return fmt.Errorf("slackemu: event %s (%s): server closed before a retry", id, typ)
			}
		}
		var status int
		status, reason, err = s.attemptEvent(rec, first+i, reason)
		s.mu.Lock()
		rec.Attempts++
		rec.Status, rec.Acked, rec.Error = status, err == nil, ""
		if err != nil {
			rec.Error = err.Error()
		}
		s.mu.Unlock()
		if err == nil {
			return nil
		}
	}
	return fmt.Errorf("slackemu: event %s (%s) not acknowledged after %d attempt(s): %w", id, typ, len(delays)+1, err)
}

// Redeliver sends a delivered event once more, as Slack's retry number N+1
// after N retries (reason "http_timeout" over HTTP, "timeout" over Socket
// Mode), after the events already queued; it returns when the app answered.
func (s *Server) Redeliver(ctx context.Context, eventID string) error {
	s.mu.Lock()
	rec := s.events.byID[eventID]
	if rec == nil {
		s.mu.Unlock()
		return fmt.Errorf("slackemu: no event %q was delivered", eventID)
	}
	job := s.enqueueLocked(rec, true)
	s.mu.Unlock()
	return s.waitEvent(ctx, job)
}

// DeliveredEvents returns the Events API events emitted since New or Reset,
// oldest first (the most recent 10,000), queued ones included.
func (s *Server) DeliveredEvents() []DeliveredEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyAll(s.events.records, func(r *eventRecord) DeliveredEvent {
		d := r.DeliveredEvent
		d.Event = cloneRaw(r.Event)
		return d
	})
}
