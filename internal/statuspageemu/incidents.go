package statuspageemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// changes are the fields of one create or update body.
type changes struct {
	name, status, body, impact   *string
	componentIDs                 []string
	components                   map[string]string
	scheduledFor, scheduledUntil *time.Time
	metadata                     map[string]map[string]any
	hasMetadata                  bool
	deliver                      *bool
}

// decodeChanges reads the known fields; a field of the wrong JSON type is
// a 400, as Statuspage answers it. Unknown fields are ignored.
func decodeChanges(f map[string]json.RawMessage) (changes, error) {
	var c changes
	str := func(key string, dst **string) error {
		raw, ok := f[key]
		if !ok || string(raw) == "null" {
			return nil
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("incident[%s] must be a string", key)
		}
		*dst = &v
		return nil
	}
	tm := func(key string, dst **time.Time) error {
		var v *string
		if err := str(key, &v); err != nil || v == nil {
			return err
		}
		t, err := time.Parse(time.RFC3339, *v)
		if err != nil {
			return fmt.Errorf("incident[%s] must be an ISO 8601 time, e.g. 2026-01-02T15:04:05Z", key)
		}
		*dst = &t
		return nil
	}
	for _, step := range []func() error{
		func() error { return str("name", &c.name) },
		func() error { return str("status", &c.status) },
		func() error { return str("body", &c.body) },
		func() error { return str("impact_override", &c.impact) },
		func() error { return tm("scheduled_for", &c.scheduledFor) },
		func() error { return tm("scheduled_until", &c.scheduledUntil) },
	} {
		if err := step(); err != nil {
			return c, err
		}
	}
	if raw, ok := f["component_ids"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &c.componentIDs); err != nil {
			return c, errors.New("incident[component_ids] must be a list of component IDs")
		}
	}
	if raw, ok := f["components"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &c.components); err != nil {
			return c, errors.New("incident[components] must map component IDs to statuses")
		}
	}
	if raw, ok := f["metadata"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &c.metadata); err != nil {
			return c, errors.New("incident[metadata] must be a hash of hashes, e.g. {\"jira\": {\"issue_id\": \"…\"}}")
		}
		c.hasMetadata = true
	}
	if raw, ok := f["deliver_notifications"]; ok && string(raw) != "null" {
		var v bool
		if err := json.Unmarshal(raw, &v); err != nil {
			return c, errors.New("incident[deliver_notifications] must be true or false")
		}
		c.deliver = &v
	}
	return c, nil
}

// validateLocked lists what is wrong with applying c to in (a new incident
// when create), in Statuspage's words.
func (s *Server) validateLocked(in *Incident, c changes, create bool) []string {
	var errs []string
	name := in.Name
	if c.name != nil {
		name = strings.TrimSpace(*c.name)
	}
	switch n := utf8.RuneCountInString(name); {
	case n == 0 && (create || c.name != nil):
		errs = append(errs, "Name can't be blank")
	case n > maxName:
		errs = append(errs, fmt.Sprintf("Name is too long (maximum is %d characters)", maxName))
	}
	if c.body != nil && utf8.RuneCountInString(*c.body) > maxBody {
		errs = append(errs, fmt.Sprintf("Body is too long (maximum is %d characters)", maxBody))
	}
	scheduled := in.Scheduled() || (create && c.scheduledFor != nil)
	if !create && !in.Scheduled() && (c.scheduledFor != nil || c.scheduledUntil != nil) {
		errs = append(errs, "Scheduled for can only be set on scheduled maintenance")
	}
	if c.status != nil {
		list := realtimeStatuses
		if scheduled {
			list = scheduledStatuses
		}
		if !slices.Contains(list, *c.status) {
			errs = append(errs, fmt.Sprintf("Status %q is not included in the list (%s)", *c.status, strings.Join(list, ", ")))
		}
	}
	if scheduled {
		from, until := in.ScheduledFor, in.ScheduledUntil
		if c.scheduledFor != nil {
			from = c.scheduledFor
		}
		if c.scheduledUntil != nil {
			until = c.scheduledUntil
		}
		switch {
		case until == nil:
			errs = append(errs, "Scheduled until can't be blank")
		case from != nil && !until.After(*from):
			errs = append(errs, "Scheduled until must be after scheduled for")
		}
	} else if create && c.scheduledUntil != nil {
		errs = append(errs, "Scheduled for can't be blank")
	}
	if c.impact != nil && !slices.Contains(impacts, *c.impact) {
		errs = append(errs, fmt.Sprintf("Impact override %q is not included in the list (%s)", *c.impact, strings.Join(impacts, ", ")))
	}
	for _, id := range c.componentIDs {
		if s.componentIndexLocked(id) < 0 {
			errs = append(errs, fmt.Sprintf("Component %q can't be found on this page", id))
		}
	}
	for _, id := range sortedKeys(c.components) {
		if s.componentIndexLocked(id) < 0 {
			errs = append(errs, fmt.Sprintf("Component %q can't be found on this page", id))
		} else if !slices.Contains(componentStatuses, c.components[id]) {
			errs = append(errs, fmt.Sprintf("Component status %q is not included in the list (%s)", c.components[id], strings.Join(componentStatuses, ", ")))
		}
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (s *Server) create(w http.ResponseWriter, fields map[string]json.RawMessage) {
	c, err := decodeChanges(fields)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	in := &Incident{PageID: s.opts.PageID}
	if errs := s.validateLocked(in, c, true); len(errs) > 0 {
		invalid(w, errs)
		return
	}
	now := s.opts.Now().UTC()
	in.ID = s.newID("inc")
	in.Shortlink = "https://stspg.io/" + in.ID[len(in.ID)-6:]
	in.CreatedAt, in.StartedAt = now, now
	if c.scheduledFor != nil {
		in.ScheduledFor = c.scheduledFor
		in.Status = "scheduled"
	} else {
		in.Status = "investigating"
	}
	s.apply(in, c, now)
	s.incidents = append(s.incidents, in)
	s.saveLocked()
	writeJSON(w, http.StatusCreated, s.viewLocked(in))
}

func (s *Server) update(w http.ResponseWriter, in *Incident, fields map[string]json.RawMessage) {
	c, err := decodeChanges(fields)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	if errs := s.validateLocked(in, c, false); len(errs) > 0 {
		invalid(w, errs)
		return
	}
	s.apply(in, c, s.opts.Now().UTC())
	s.saveLocked()
	writeJSON(w, http.StatusOK, s.viewLocked(in))
}

// apply makes c's changes to in; a create, a body or a new status adds an
// incident update.
func (s *Server) apply(in *Incident, c changes, now time.Time) {
	created := len(in.IncidentUpdates) == 0 && in.Name == ""
	if c.name != nil {
		in.Name = strings.TrimSpace(*c.name)
	}
	moved := false
	if c.status != nil && *c.status != in.Status {
		in.Status, moved = *c.status, true
	}
	if c.impact != nil {
		v := *c.impact
		in.ImpactOverride = &v
	}
	if c.scheduledFor != nil {
		in.ScheduledFor = c.scheduledFor
	}
	if c.scheduledUntil != nil {
		in.ScheduledUntil = c.scheduledUntil
	}
	if c.hasMetadata {
		in.Metadata = c.metadata
	}
	var affected []Affected
	for _, id := range c.componentIDs {
		s.affectLocked(in, id)
	}
	for _, id := range sortedKeys(c.components) {
		i := s.componentIndexLocked(id)
		s.components[i].Status = c.components[id]
		s.affectLocked(in, id)
		affected = append(affected, Affected{Code: id, Name: s.components[i].Name, NewStatus: c.components[id]})
	}
	switch in.Status {
	case "resolved", "completed", "postmortem":
		if in.ResolvedAt == nil {
			in.ResolvedAt = &now
		}
	case "monitoring":
		if in.MonitoringAt == nil {
			in.MonitoringAt = &now
		}
	}
	in.UpdatedAt = now
	body := ""
	if c.body != nil {
		body = *c.body
	}
	if created || moved || body != "" {
		deliver := c.deliver == nil || *c.deliver
		in.IncidentUpdates = append([]Update{{
			ID: s.newID("upd"), IncidentID: in.ID, Status: in.Status, Body: body,
			CreatedAt: now, DisplayAt: now, DeliverNotifications: deliver, AffectedComponents: affected,
		}}, in.IncidentUpdates...) // newest first, as the API lists them
	}
}

func (s *Server) affectLocked(in *Incident, id string) {
	for _, c := range in.Components {
		if c.ID == id {
			return
		}
	}
	in.Components = append(in.Components, Component{ID: id})
}

// viewLocked is in as the API answers it: its affected components with
// their current statuses, and its impact.
func (s *Server) viewLocked(in *Incident) Incident {
	out := *in
	out.Components = make([]Component, 0, len(in.Components))
	worst := "none"
	rank := map[string]int{"degraded_performance": 1, "partial_outage": 2, "major_outage": 3}
	byRank := []string{"none", "minor", "major", "critical"}
	for _, c := range in.Components {
		if i := s.componentIndexLocked(c.ID); i >= 0 {
			cur := s.components[i]
			out.Components = append(out.Components, cur)
			if rank[cur.Status] > slices.Index(byRank, worst) {
				worst = byRank[rank[cur.Status]]
			}
		}
	}
	switch {
	case in.ImpactOverride != nil:
		out.Impact = *in.ImpactOverride
	case in.Scheduled():
		out.Impact = "maintenance"
	default:
		out.Impact = worst
	}
	out.IncidentUpdates = append([]Update{}, in.IncidentUpdates...)
	if out.Metadata == nil {
		out.Metadata = map[string]map[string]any{}
	}
	return out
}

func (s *Server) incidentIndexLocked(id string) int {
	for i, in := range s.incidents {
		if in.ID == id {
			return i
		}
	}
	return -1
}

// list answers a list of incidents, newest first: all of them (q filters
// by name and update bodies; limit at most 100, page from 1), or those of
// which ("unresolved", "scheduled", "active_maintenance", "upcoming").
func (s *Server) list(w http.ResponseWriter, r *http.Request, which string) {
	q := strings.ToLower(r.URL.Query().Get("q"))
	limit, page := 100, 1
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && v > 0 && v < 100 {
		limit = v
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && v > 0 {
		page = v
	}
	var out []Incident
	for i := len(s.incidents) - 1; i >= 0; i-- {
		in := s.incidents[i]
		keep := true
		switch which {
		case "unresolved":
			keep = !in.Scheduled() && !in.Resolved()
		case "scheduled", "upcoming":
			keep = in.Scheduled() && in.Status == "scheduled"
		case "active_maintenance":
			keep = in.Scheduled() && (in.Status == "in_progress" || in.Status == "verifying")
		}
		if keep && q != "" {
			keep = strings.Contains(strings.ToLower(in.Name), q)
			for _, u := range in.IncidentUpdates {
				keep = keep || strings.Contains(strings.ToLower(u.Body), q)
			}
		}
		if keep {
			out = append(out, s.viewLocked(in))
		}
	}
	from := min((page-1)*limit, len(out))
	to := min(from+limit, len(out))
	writeJSON(w, http.StatusOK, append([]Incident{}, out[from:to]...))
}
