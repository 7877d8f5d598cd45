package slackemu

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// attemptEvent sends rec once over the current transport, as retry number
// retry (0: the first delivery) for reason (the previous attempt's failure).
// It returns the HTTP status (200 for a Socket Mode ack, 0 without an
// answer), the retry reason the failure gives the next attempt, and the failure.
func (s *Server) attemptEvent(rec *eventRecord, retry int, reason string) (int, string, error) {
	s.mu.Lock()
	transport, body := s.transport, rec.envelope
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.EventTimeout)
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	if transport == Socket {
		if retry > 0 && reason == "" {
			reason = "timeout"
		}
		if _, err := s.exchangeEnvelope(ctx, "events_api", body, false, retry, reason); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("no ack within %s", s.opts.EventTimeout)
			}
			return 0, "timeout", err
		}
		return http.StatusOK, "", nil
	}
	var header http.Header
	if retry > 0 {
		if reason == "" {
			reason = "http_timeout"
		}
		header = http.Header{"X-Slack-Retry-Num": {strconv.Itoa(retry)}, "X-Slack-Retry-Reason": {reason}}
	}
	rep, err := s.postSigned(ctx, "/slack/events", "application/json", body, header)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return 0, "http_timeout", fmt.Errorf("no answer within %s", s.opts.EventTimeout)
	case err != nil:
		return 0, "connection_failed", err
	case rep.Status < 200 || rep.Status > 299:
		return rep.Status, "http_error", fmt.Errorf("the app answered HTTP %d", rep.Status)
	}
	return rep.Status, "", nil
}
