package activities

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxPagerDutyErrorBody bounds the error body kept from one answer.
const maxPagerDutyErrorBody = 64 << 10

// maxPagerDutyRetryAfter caps a Retry-After PagerDuty sends.
const maxPagerDutyRetryAfter = 10 * time.Minute

// recorder is the HTTP client of one go-pagerduty call: it keeps the
// status and Retry-After of the last answer, and the body of an error, so
// that the activities can word it (go-pagerduty hides both).
type recorder struct {
	c                *http.Client
	status           int
	retryAfterHeader string
	body             []byte
}

// Do sends req and records the answer.
func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.status, r.retryAfterHeader, r.body = 0, "", nil
	resp, err := r.c.Do(req)
	if err != nil {
		return resp, err
	}
	r.status = resp.StatusCode
	r.retryAfterHeader = resp.Header.Get("Retry-After")
	if resp.StatusCode >= 300 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxPagerDutyErrorBody))
		_ = resp.Body.Close()
		r.body = body
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	return resp, nil
}

// retryAfter is the answer's Retry-After (seconds or an HTTP date), at
// least a second and at most maxPagerDutyRetryAfter, or def without one.
func (r *recorder) retryAfter(def time.Duration) time.Duration {
	h := strings.TrimSpace(r.retryAfterHeader)
	if h == "" {
		return def
	}
	var d time.Duration
	if secs, err := strconv.Atoi(h); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	} else {
		return def
	}
	return min(max(d, time.Second), maxPagerDutyRetryAfter)
}

// eventsMessage is the Events API's own account of a refusal: its message
// and errors, or the status text when the body says nothing.
func (r *recorder) eventsMessage() string {
	var body struct {
		Status  string   `json:"status"`
		Message string   `json:"message"`
		Errors  []string `json:"errors"`
	}
	if json.Unmarshal(r.body, &body) != nil || body.Message == "" && len(body.Errors) == 0 {
		return http.StatusText(r.status)
	}
	msg := body.Message
	if len(body.Errors) > 0 {
		if msg != "" {
			msg += ": "
		}
		msg += strings.Join(body.Errors, "; ")
	}
	return CutRunes(msg, 500)
}
