package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
)

// Application error types the Statuspage activities return.
const (
	// ErrStatusPageConfig is a problem only the configuration fixes: no
	// statuspage.api_key or page_id, a key Statuspage refuses (401/403),
	// a page it doesn't know (404). Not retryable.
	ErrStatusPageConfig = "StatusPageConfig"
	// ErrStatusPageRejected is a request Statuspage refuses (400, 422, a
	// public incident that was deleted): not retryable.
	ErrStatusPageRejected = "StatusPageRejected"
	// ErrStatusPageRateLimited is a 429: retryable, with NextRetryDelay
	// set from Retry-After.
	ErrStatusPageRateLimited = "StatusPageRateLimited"
	// ErrStatusPageUnavailable is a 5xx or a network failure: retryable.
	ErrStatusPageUnavailable = "StatusPageUnavailable"
)

// Metadata incidentflow keeps on each public incident, under
// metadata["incidentflow"]: the incident's ID (or the maintenance run's),
// and the keys of the updates posted, newest last, space-separated.
const (
	metaNamespace  = "incidentflow"
	metaIncidentID = "incident_id"
	metaWindowID   = "window_id"
	metaUpdateKeys = "update_keys"
)

// statusPageAPI is a small typed client of Statuspage's REST API v1 (no
// maintained Go client exists).
type statusPageAPI struct {
	base, pageID, key string
	http              *http.Client
}

func newStatusPageAPI(o StatusPageOptions) *statusPageAPI {
	if o.APIURL == "" {
		o.APIURL = DefaultStatusPageURL
	}
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	return &statusPageAPI{base: strings.TrimRight(o.APIURL, "/"), pageID: o.PageID, key: o.APIKey,
		http: &http.Client{Timeout: o.Timeout}}
}

func (a *statusPageAPI) configured(op string) error {
	if a.key == "" || a.pageID == "" {
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("could not %s: no status page is configured (set statuspage.api_key and statuspage.page_id)", op),
			ErrStatusPageConfig, nil)
	}
	return nil
}

// spIncident is the part of Statuspage's incident incidentflow reads.
type spIncident struct {
	ID        string                    `json:"id"`
	Name      string                    `json:"name"`
	Status    string                    `json:"status"`
	Shortlink string                    `json:"shortlink"`
	Metadata  map[string]map[string]any `json:"metadata"`
}

func (in *spIncident) meta(key string) string {
	v, _ := in.Metadata[metaNamespace][key].(string)
	return v
}

func (in *spIncident) public() PublicIncident {
	return PublicIncident{ID: in.ID, Shortlink: in.Shortlink, Status: in.Status}
}

// spWrite is the body of a create or an update.
type spWrite struct {
	Name           string                    `json:"name,omitempty"`
	Status         string                    `json:"status,omitempty"`
	Body           string                    `json:"body,omitempty"`
	Impact         string                    `json:"impact_override,omitempty"`
	ComponentIDs   []string                  `json:"component_ids,omitempty"`
	Components     map[string]string         `json:"components,omitempty"`
	ScheduledFor   *time.Time                `json:"scheduled_for,omitempty"`
	ScheduledUntil *time.Time                `json:"scheduled_until,omitempty"`
	Metadata       map[string]map[string]any `json:"metadata,omitempty"`
}

// upsertSpec is one idempotent create-or-update.
type upsertSpec struct {
	op                 string
	metaKey, metaValue string
	pageIncidentID     string
	updateKey          string
	write              spWrite
	// lists are the incident lists a create searches first for the one it
	// may have made before (then the page's search by name).
	lists []string
}

// upsert creates the public incident (unless a create that got no answer
// made it already: it is found by its metadata) or updates it (unless the
// update's key is in its metadata already).
func (a *statusPageAPI) upsert(ctx context.Context, sp upsertSpec) (PublicIncident, error) {
	id := sp.pageIncidentID
	var cur *spIncident
	if id == "" {
		found, err := a.find(ctx, sp)
		if err != nil {
			return PublicIncident{}, err
		}
		if found == nil {
			w := sp.write
			w.Metadata = map[string]map[string]any{metaNamespace: {sp.metaKey: sp.metaValue, metaUpdateKeys: sp.updateKey}}
			var made spIncident
			if err := a.do(ctx, sp.op, http.MethodPost, "/incidents", w, &made); err != nil {
				return PublicIncident{}, err
			}
			return made.public(), nil
		}
		cur = found
	} else {
		cur = &spIncident{}
		if err := a.do(ctx, sp.op, http.MethodGet, "/incidents/"+url.PathEscape(id), nil, cur); err != nil {
			return PublicIncident{}, err
		}
	}
	keys := strings.Fields(cur.meta(metaUpdateKeys))
	if slices.Contains(keys, sp.updateKey) {
		return cur.public(), nil // this update was posted before
	}
	keys = append(keys, sp.updateKey)
	if len(keys) > maxUpdateKeys {
		keys = keys[len(keys)-maxUpdateKeys:]
	}
	w := sp.write
	w.ScheduledFor, w.ScheduledUntil = nil, nil
	if w.Name == cur.Name {
		w.Name = ""
	}
	w.Metadata = map[string]map[string]any{}
	for k, v := range cur.Metadata {
		w.Metadata[k] = v
	}
	ns := map[string]any{}
	for k, v := range cur.Metadata[metaNamespace] {
		ns[k] = v
	}
	ns[sp.metaKey], ns[metaUpdateKeys] = sp.metaValue, strings.Join(keys, " ")
	w.Metadata[metaNamespace] = ns
	var updated spIncident
	if err := a.do(ctx, sp.op, http.MethodPatch, "/incidents/"+url.PathEscape(cur.ID), w, &updated); err != nil {
		return PublicIncident{}, err
	}
	return updated.public(), nil
}

// find looks for the public incident whose metadata names sp.metaValue.
func (a *statusPageAPI) find(ctx context.Context, sp upsertSpec) (*spIncident, error) {
	paths := make([]string, 0, len(sp.lists)+1)
	for _, l := range sp.lists {
		paths = append(paths, "/incidents/"+l)
	}
	if sp.write.Name != "" {
		paths = append(paths, "/incidents?limit=100&q="+url.QueryEscape(sp.write.Name))
	}
	for _, p := range paths {
		var list []spIncident
		if err := a.do(ctx, sp.op, http.MethodGet, p, nil, &list); err != nil {
			return nil, err
		}
		for i := range list {
			if list[i].meta(sp.metaKey) == sp.metaValue {
				return &list[i], nil
			}
		}
	}
	return nil, nil
}

// maxResponse bounds what incidentflow reads of one answer.
const maxResponse = 4 << 20

// do sends one request about the page and decodes the answer into out.
func (a *statusPageAPI) do(ctx context.Context, op, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(map[string]any{"incident": in})
		if err != nil {
			return temporal.NewNonRetryableApplicationError("could not "+op+": "+err.Error(), ErrStatusPageRejected, err)
		}
		body = bytes.NewReader(data)
	}
	u := a.base + "/v1/pages/" + url.PathEscape(a.pageID) + path
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("could not %s: statuspage.api_url %q is not a usable URL: %v", op, a.base, err), ErrStatusPageConfig, err)
	}
	req.Header.Set("Authorization", "OAuth "+a.key)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return temporal.NewApplicationErrorWithOptions(
			fmt.Sprintf("could not reach Statuspage at %s to %s: %v; retrying", a.base, op, errors.Unwrap(err)),
			ErrStatusPageUnavailable, temporal.ApplicationErrorOptions{Cause: err})
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("could not read Statuspage's answer to %s: %v; retrying", op, err),
			ErrStatusPageUnavailable, temporal.ApplicationErrorOptions{Cause: err})
	}
	if resp.StatusCode >= 300 {
		return a.statusError(op, path, resp, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("Statuspage's answer to %s is not what its API returns (%v); retrying", op, err),
				ErrStatusPageUnavailable, temporal.ApplicationErrorOptions{Cause: err})
		}
	}
	return nil
}

// StatusPageHTTPError is Statuspage's refusal of one request.
type StatusPageHTTPError struct {
	Status  int
	Message string
}

func (e *StatusPageHTTPError) Error() string {
	return fmt.Sprintf("Statuspage answered %d: %s", e.Status, e.Message)
}

// errorText reads Statuspage's {"error": "…"}, {"error": ["…"]} or
// {"message": "…"}, cleaned and cut to one bounded line.
func errorText(data []byte) string {
	return incident.TruncateChars(strings.Join(strings.Fields(incident.Clean(rawErrorText(data))), " "), 300)
}

func rawErrorText(data []byte) string {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(data, &v) == nil {
		var one string
		var many []string
		switch {
		case json.Unmarshal(v.Error, &one) == nil && one != "":
			return one
		case json.Unmarshal(v.Error, &many) == nil && len(many) > 0:
			return strings.Join(many, "; ")
		case v.Message != "":
			return v.Message
		}
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// statusError turns a refusal into an error in words: what to check, and
// whether it is retried.
func (a *statusPageAPI) statusError(op, path string, resp *http.Response, data []byte) error {
	cause := &StatusPageHTTPError{Status: resp.StatusCode, Message: errorText(data)}
	code := resp.StatusCode
	var msg, typ string
	switch {
	case code == http.StatusTooManyRequests || code == 420:
		wait := 5 * time.Second
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
			wait = max(time.Duration(secs)*time.Second, time.Second)
		}
		return temporal.NewApplicationErrorWithOptions(
			fmt.Sprintf("Statuspage's rate limit (about a request a second) was hit trying to %s; retrying in %s", op, wait),
			ErrStatusPageRateLimited, temporal.ApplicationErrorOptions{Cause: cause, NextRetryDelay: wait})
	case code >= 500:
		return temporal.NewApplicationErrorWithOptions(
			fmt.Sprintf("Statuspage failed to %s (%d %s); retrying", op, code, cause.Message),
			ErrStatusPageUnavailable, temporal.ApplicationErrorOptions{Cause: cause})
	case code == http.StatusUnauthorized:
		msg, typ = fmt.Sprintf("Statuspage refused the API key (401) trying to %s: check statuspage.api_key", op), ErrStatusPageConfig
	case code == http.StatusForbidden:
		msg, typ = fmt.Sprintf("statuspage.api_key may not %s on page %s (403): use the key of someone who can edit that page", op, a.pageID), ErrStatusPageConfig
	case code == http.StatusNotFound && (strings.Contains(cause.Message, "Page") || !strings.HasPrefix(path, "/incidents/")):
		msg, typ = fmt.Sprintf("Statuspage has no page %s (404) trying to %s: check statuspage.page_id", a.pageID, op), ErrStatusPageConfig
	case code == http.StatusNotFound:
		msg, typ = fmt.Sprintf("the public incident is gone from the status page (404; deleted on Statuspage?) trying to %s", op), ErrStatusPageRejected
	default:
		msg, typ = fmt.Sprintf("Statuspage refused to %s (%d): %s", op, code, cause.Message), ErrStatusPageRejected
	}
	return temporal.NewApplicationErrorWithOptions(msg, typ, temporal.ApplicationErrorOptions{Cause: cause, NonRetryable: true})
}
