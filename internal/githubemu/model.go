package githubemu

import (
	"strings"
	"time"
)

type repoState struct {
	owner, name string
	id          int64
	issues      []*issueState // issues[i].number == i+1
	labels      map[string]*labelState
	labelOrder  []string // lower-case names in creation order
}

type issueState struct {
	id          int64
	number      int
	title, body string
	labels      []string // label names as created
	assignees   []string // logins as configured
	state       string   // "open" or "closed"
	stateReason string
	user        string
	createdAt   time.Time
	updatedAt   time.Time
	closedAt    time.Time
	closedBy    string
	comments    []*commentState
}

type commentState struct {
	id        int64
	user      string
	body      string
	createdAt time.Time
}

type labelState struct {
	id          int64
	name, color string
	description string
}

func (r *repoState) fullName() string { return r.owner + "/" + r.name }

// repoLocked finds the repository "owner/repo", creating it when create is
// true and the repository may exist (no Options.Repos, or declared there).
func (s *Server) repoLocked(full string, create bool) *repoState {
	key := strings.ToLower(full)
	if r, ok := s.repos[key]; ok {
		return r
	}
	if !create {
		return nil
	}
	if len(s.declared) > 0 {
		decl, ok := s.declared[key]
		if !ok {
			return nil
		}
		full = decl
	}
	owner, name, ok := strings.Cut(full, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil
	}
	r := &repoState{owner: owner, name: name, id: s.newID(), labels: map[string]*labelState{}}
	s.repos[key] = r
	s.changedRepo(r)
	for _, l := range s.opts.Labels {
		r.addLabel(s, l, "ededed", "")
	}
	return r
}

func (r *repoState) addLabel(s *Server, name, color, desc string) *labelState {
	key := strings.ToLower(name)
	if l, ok := r.labels[key]; ok {
		return l
	}
	if color == "" {
		color = "ededed"
	}
	l := &labelState{id: s.newID(), name: name, color: color, description: desc}
	r.labels[key] = l
	r.labelOrder = append(r.labelOrder, key)
	s.changedRepo(r)
	return l
}

func (r *repoState) issue(number int) *issueState {
	if number < 1 || number > len(r.issues) {
		return nil
	}
	return r.issues[number-1]
}

func (is *issueState) hasLabel(name string) bool {
	for _, l := range is.labels {
		if strings.EqualFold(l, name) {
			return true
		}
	}
	return false
}

func (is *issueState) hasAssignee(login string) bool {
	for _, a := range is.assignees {
		if strings.EqualFold(a, login) {
			return true
		}
	}
	return false
}

func (is *issueState) close(now time.Time, by, reason string) {
	if reason == "" {
		reason = "completed"
	}
	if is.state != "closed" {
		is.closedAt = now
		is.closedBy = by
	}
	is.state, is.stateReason, is.updatedAt = "closed", reason, now
}

func (is *issueState) reopen(now time.Time) {
	if is.state == "open" {
		return
	}
	is.state, is.stateReason, is.updatedAt = "open", "reopened", now
	is.closedAt, is.closedBy = time.Time{}, ""
}
