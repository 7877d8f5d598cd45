package pagerdutyemu

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// restErrorBody is the REST API's error answer.
type restErrorBody struct {
	Error restErrorObject `json:"error"`
}

type restErrorObject struct {
	Message string   `json:"message"`
	Code    int      `json:"code"`
	Errors  []string `json:"errors,omitempty"`
}

// restError is the REST API's error body for status.
func restError(status int, message string, errs ...string) restErrorBody {
	code := map[int]int{http.StatusBadRequest: 2001, http.StatusUnauthorized: 2006, http.StatusForbidden: 2010,
		http.StatusNotFound: 2100, http.StatusTooManyRequests: 2020}[status]
	return restErrorBody{Error: restErrorObject{Message: message, Code: code, Errors: errs}}
}

// token reads `Authorization: Token token=<t>` (or `Bearer <t>`).
func token(r *http.Request) string {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if t, ok := strings.CutPrefix(h, "Token token="); ok {
		return strings.Trim(strings.TrimSpace(t), `"`)
	}
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var op string
	switch {
	case len(segs) == 1 && segs[0] == "oncalls":
		op = "oncalls"
	case len(segs) == 2 && segs[0] == "users" && segs[1] != "":
		op = "users"
	case len(segs) == 2 && segs[0] == "escalation_policies" && segs[1] != "":
		op = "escalation_policies"
	default:
		writeJSON(w, http.StatusNotFound, restError(http.StatusNotFound, "Not Found"))
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeJSON(w, http.StatusMethodNotAllowed, restError(http.StatusMethodNotAllowed, "Method Not Allowed"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := token(r)
	if t == "" || !slices.Contains(s.opts.Tokens, t) || s.revoked[t] {
		writeJSON(w, http.StatusUnauthorized, restError(http.StatusUnauthorized, "Authentication failed"))
		return
	}
	if f := s.takeFaultLocked(op); f != nil {
		f.answer(w)
		return
	}
	if wait, ok := s.takeRateLocked("rest\x00"+t, s.opts.RESTPerMinute); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds()+0.999)))
		writeJSON(w, http.StatusTooManyRequests, restError(http.StatusTooManyRequests, "Rate Limit Exceeded"))
		return
	}
	base := s.webBase()
	switch op {
	case "oncalls":
		s.handleOnCalls(w, r.URL.Query(), base)
	case "users":
		u, ok := s.userLocked(segs[1])
		if !ok {
			writeJSON(w, http.StatusNotFound, restError(http.StatusNotFound, "Not Found"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"user": fullUser(u, base)})
	default:
		i := slices.IndexFunc(s.fixtures.EscalationPolicies, func(p EscalationPolicy) bool { return p.ID == segs[1] })
		if i < 0 {
			writeJSON(w, http.StatusNotFound, restError(http.StatusNotFound, "Not Found"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"escalation_policy": s.policyObjectLocked(s.fixtures.EscalationPolicies[i], base)})
	}
}

// listParam reads name[] (and name, and name%5B%5D as sent) from q.
func listParam(q url.Values, name string) []string {
	var out []string
	for _, k := range []string{name + "[]", name} {
		for _, v := range q[k] {
			for _, part := range strings.Split(v, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
		}
	}
	return out
}

// OnCall is one on-call entry now: a person on call for an escalation
// policy at a level, through a schedule or directly.
type OnCall struct {
	EscalationPolicy string `json:"escalation_policy"`
	Level            int    `json:"escalation_level"`
	UserID           string `json:"user_id"`
	UserName         string `json:"user_name"`
	Email            string `json:"email,omitempty"`
	Schedule         string `json:"schedule,omitempty"`
}

// onCallsLocked computes who is on call now, per policy and level.
func (s *Server) onCallsLocked() []OnCall {
	var out []OnCall
	for _, p := range s.fixtures.EscalationPolicies {
		for i, r := range p.Rules {
			add := func(uid, schedule string) {
				u, _ := s.userLocked(uid)
				out = append(out, OnCall{EscalationPolicy: p.ID, Level: i + 1, UserID: uid, UserName: u.Name, Email: u.Email, Schedule: schedule})
			}
			for _, sid := range r.Schedules {
				j := slices.IndexFunc(s.fixtures.Schedules, func(sc Schedule) bool { return sc.ID == sid })
				if j < 0 {
					continue
				}
				for _, uid := range s.fixtures.Schedules[j].OnCall {
					add(uid, sid)
				}
			}
			for _, uid := range r.Users {
				add(uid, "")
			}
		}
	}
	return out
}

// OnCalls returns who is on call now for every escalation policy.
func (s *Server) OnCalls() []OnCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.onCallsLocked()
}

func (s *Server) handleOnCalls(w http.ResponseWriter, q url.Values, base string) {
	limit, offset := 25, 0
	var bad []string
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			bad = append(bad, "Limit must be an integer between 1 and 100.")
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad = append(bad, "Offset must be a non-negative integer.")
		}
		offset = n
	}
	if len(bad) > 0 {
		writeJSON(w, http.StatusBadRequest, restError(http.StatusBadRequest, "Invalid Input Provided", bad...))
		return
	}
	policies, schedules, users := listParam(q, "escalation_policy_ids"), listParam(q, "schedule_ids"), listParam(q, "user_ids")
	withUsers := slices.Contains(listParam(q, "include"), "users")
	var entries []map[string]any
	for _, oc := range s.onCallsLocked() {
		if len(policies) > 0 && !slices.Contains(policies, oc.EscalationPolicy) ||
			len(schedules) > 0 && !slices.Contains(schedules, oc.Schedule) ||
			len(users) > 0 && !slices.Contains(users, oc.UserID) {
			continue
		}
		u, _ := s.userLocked(oc.UserID)
		var user any = userRef(u, base)
		if withUsers {
			user = fullUser(u, base)
		}
		e := map[string]any{"escalation_policy": s.policyRefLocked(oc.EscalationPolicy, base), "escalation_level": oc.Level,
			"user": user, "schedule": nil, "start": nil, "end": nil}
		if oc.Schedule != "" {
			e["schedule"] = s.scheduleRefLocked(oc.Schedule, base)
			now := s.now()
			e["start"] = now.Truncate(24 * 3600e9).Format("2006-01-02T15:04:05Z")
			e["end"] = now.Truncate(24 * 3600e9).Add(7 * 24 * 3600e9).Format("2006-01-02T15:04:05Z")
		}
		entries = append(entries, e)
	}
	total := len(entries)
	page := []map[string]any{}
	if offset < total {
		page = entries[offset:min(offset+limit, total)]
	}
	body := map[string]any{"oncalls": page, "limit": limit, "offset": offset, "more": offset+limit < total, "total": nil}
	if q.Get("total") == "true" {
		body["total"] = total
	}
	writeJSON(w, http.StatusOK, body)
}

func userRef(u User, base string) map[string]any {
	return map[string]any{"id": u.ID, "type": "user_reference", "summary": u.Name,
		"self": base + "/users/" + u.ID, "html_url": base + "/users/" + u.ID}
}

func fullUser(u User, base string) map[string]any {
	return map[string]any{"id": u.ID, "type": "user", "summary": u.Name, "name": u.Name, "email": u.Email,
		"time_zone": "Etc/UTC", "role": "user", "self": base + "/users/" + u.ID, "html_url": base + "/users/" + u.ID}
}

func (s *Server) policyRefLocked(id, base string) map[string]any {
	name := id
	if i := slices.IndexFunc(s.fixtures.EscalationPolicies, func(p EscalationPolicy) bool { return p.ID == id }); i >= 0 {
		name = s.fixtures.EscalationPolicies[i].Name
	}
	return map[string]any{"id": id, "type": "escalation_policy_reference", "summary": name,
		"self": base + "/escalation_policies/" + id, "html_url": base + "/escalation_policies/" + id}
}

func (s *Server) scheduleRefLocked(id, base string) map[string]any {
	name := id
	if i := slices.IndexFunc(s.fixtures.Schedules, func(sc Schedule) bool { return sc.ID == id }); i >= 0 {
		name = s.fixtures.Schedules[i].Name
	}
	return map[string]any{"id": id, "type": "schedule_reference", "summary": name,
		"self": base + "/schedules/" + id, "html_url": base + "/schedules/" + id}
}

func (s *Server) policyObjectLocked(p EscalationPolicy, base string) map[string]any {
	rules := []map[string]any{}
	for i, r := range p.Rules {
		targets := []map[string]any{}
		for _, sid := range r.Schedules {
			targets = append(targets, s.scheduleRefLocked(sid, base))
		}
		for _, uid := range r.Users {
			u, _ := s.userLocked(uid)
			targets = append(targets, userRef(u, base))
		}
		rules = append(rules, map[string]any{"id": fmt.Sprintf("PRULE%02d", i+1), "escalation_delay_in_minutes": 30, "targets": targets})
	}
	return map[string]any{"id": p.ID, "type": "escalation_policy", "summary": p.Name, "name": p.Name, "num_loops": 0,
		"escalation_rules": rules, "self": base + "/escalation_policies/" + p.ID, "html_url": base + "/escalation_policies/" + p.ID}
}
