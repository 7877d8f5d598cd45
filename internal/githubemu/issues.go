package githubemu

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	docCreate = docsRoot + "/issues/issues#create-an-issue"
	docUpdate = docsRoot + "/issues/issues#update-an-issue"
)

// issueRequest is the body of POST and PATCH /repos/{o}/{r}/issues[/{n}].
// Absent fields (nil) leave an issue unchanged on PATCH.
type issueRequest struct {
	Title       *string         `json:"title"`
	Body        *string         `json:"body"`
	Labels      *labelList      `json:"labels"`
	Assignee    *string         `json:"assignee"`
	Assignees   *[]string       `json:"assignees"`
	State       *string         `json:"state"`
	StateReason *string         `json:"state_reason"`
	Milestone   json.RawMessage `json:"milestone"` // accepted and ignored
}

// labelList accepts label names as strings or as {"name": ...} objects.
type labelList []string

func (l *labelList) UnmarshalJSON(data []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out := make(labelList, 0, len(raw))
	for _, m := range raw {
		var name string
		if err := json.Unmarshal(m, &name); err != nil {
			var obj struct{ Name string }
			if err := json.Unmarshal(m, &obj); err != nil {
				return err
			}
			name = obj.Name
		}
		out = append(out, name)
	}
	*l = out
	return nil
}

// change is a validated issueRequest, ready to apply.
type change struct {
	labels, assignees       []string
	setLabels, setAssignees bool
}

// checkLocked validates a create (create=true) or edit against the
// repository, collecting every problem the way GitHub's 422 does.
func (s *Server) checkLocked(r *repoState, in *issueRequest, create bool) (change, []fieldError) {
	var c change
	var errs []fieldError
	if create && (in.Title == nil || strings.TrimSpace(*in.Title) == "") ||
		!create && in.Title != nil && strings.TrimSpace(*in.Title) == "" {
		errs = append(errs, fieldError{Resource: "Issue", Code: "missing_field", Field: "title"})
	}
	if in.Title != nil && utf8.RuneCountInString(*in.Title) > titleMaxChars {
		errs = append(errs, tooLong("Issue", "title", titleMaxChars))
	}
	if in.Body != nil && utf8.RuneCountInString(*in.Body) > bodyMaxChars {
		errs = append(errs, tooLong("Issue", "body", bodyMaxChars))
	}
	var logins []string
	switch {
	case in.Assignees != nil:
		logins, c.setAssignees = *in.Assignees, true
	case in.Assignee != nil:
		c.setAssignees = true
		if *in.Assignee != "" {
			logins = []string{*in.Assignee}
		}
	}
	c.assignees = []string{}
	for _, a := range logins {
		canon, ok := s.assignees[strings.ToLower(a)]
		if !ok {
			errs = append(errs, fieldError{Resource: "Issue", Code: "invalid", Field: "assignees", Value: a})
		} else if !slices.Contains(c.assignees, canon) {
			c.assignees = append(c.assignees, canon)
		}
	}
	if in.Labels != nil {
		c.setLabels = true
		c.labels, errs = s.checkLabels(r, *in.Labels, errs)
	}
	if in.State != nil && *in.State != "open" && *in.State != "closed" {
		errs = append(errs, fieldError{Resource: "Issue", Code: "invalid", Field: "state", Value: *in.State})
	}
	if in.StateReason != nil {
		switch *in.StateReason {
		case "", "completed", "not_planned", "reopened":
		default:
			errs = append(errs, fieldError{Resource: "Issue", Code: "invalid", Field: "state_reason", Value: *in.StateReason})
		}
	}
	return c, errs
}

// checkLabels de-duplicates label names; under StrictLabels an unknown one
// is an error.
func (s *Server) checkLabels(r *repoState, names []string, errs []fieldError) ([]string, []fieldError) {
	out := []string{}
	for _, name := range names {
		name = strings.TrimSpace(name)
		if name == "" || containsFold(out, name) {
			continue
		}
		if l := r.labels[strings.ToLower(name)]; l != nil {
			name = l.name
		} else if s.opts.StrictLabels {
			errs = append(errs, fieldError{Resource: "Issue", Code: "invalid", Field: "labels", Value: name})
			continue
		}
		out = append(out, name)
	}
	return out, errs
}

// applyLabels creates any missing labels and returns their canonical names.
func (s *Server) applyLabels(r *repoState, names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, r.addLabel(s, n, "", "").name)
	}
	return out
}

func tooLong(resource, field string, max int) fieldError {
	return fieldError{Resource: resource, Code: "custom", Field: field,
		Message: field + " is too long (maximum is " + strconv.Itoa(max) + " characters)"}
}

func (s *Server) handleCreate(x *req) {
	var in issueRequest
	if !decodeBody(x, &in) {
		return
	}
	s.withRepo(x, func(r *repoState) {
		c, errs := s.checkLocked(r, &in, true)
		if len(errs) > 0 {
			writeValidation(x.w, docCreate, errs)
			return
		}
		now := s.now()
		is := &issueState{id: s.newID(), number: len(r.issues) + 1, title: *in.Title,
			labels: s.applyLabels(r, c.labels), assignees: c.assignees, state: "open",
			user: x.login, createdAt: now, updatedAt: now}
		if in.Body != nil {
			is.body = *in.Body
		}
		r.issues = append(r.issues, is)
		s.changedIssue(r, is)
		out := x.bases().issue(r, is)
		x.w.Header().Set("Location", out.URL)
		writeJSON(x.w, http.StatusCreated, out)
	})
}

func (s *Server) handleGet(x *req) {
	s.withIssue(x, func(r *repoState, is *issueState) {
		writeJSON(x.w, http.StatusOK, x.bases().issue(r, is))
	})
}

func (s *Server) handleEdit(x *req) {
	var in issueRequest
	if !decodeBody(x, &in) {
		return
	}
	s.withIssue(x, func(r *repoState, is *issueState) {
		c, errs := s.checkLocked(r, &in, false)
		if len(errs) > 0 {
			writeValidation(x.w, docUpdate, errs)
			return
		}
		now := s.now()
		if in.Title != nil {
			is.title = *in.Title
		}
		if in.Body != nil {
			is.body = *in.Body
		}
		if c.setLabels {
			is.labels = s.applyLabels(r, c.labels)
		}
		if c.setAssignees {
			is.assignees = c.assignees
		}
		reason := ""
		if in.StateReason != nil {
			reason = *in.StateReason
		}
		switch {
		case in.State != nil && *in.State == "closed":
			is.close(now, x.login, reason)
		case in.State != nil && *in.State == "open":
			is.reopen(now)
		case reason != "" && reason != "reopened" && is.state == "closed":
			is.stateReason = reason
		}
		is.updatedAt = now
		s.changedIssue(r, is)
		writeJSON(x.w, http.StatusOK, x.bases().issue(r, is))
	})
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
