package githubemu

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Issue is a snapshot of one issue, for tests and the sandbox pages.
type Issue struct {
	Repo        string // "owner/repo"
	Number      int
	Title       string
	Body        string
	Labels      []string // never nil
	Assignees   []string // never nil
	State       string   // "open" or "closed"
	StateReason string   // "", "completed", "not_planned" or "reopened"
	User        string   // the author's login
	HTMLURL     string   // {URL}/{owner}/{repo}/issues/{n}; a bare path if never started
	Comments    []Comment
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ClosedAt    time.Time // zero while open
	ClosedBy    string
}

// Comment is one comment on an issue.
type Comment struct {
	ID        int64
	User      string
	Body      string
	CreatedAt time.Time
}

// IssueInput describes an issue to seed with AddIssue.
type IssueInput struct {
	Title     string
	Body      string
	Labels    []string
	Assignees []string
	User      string // author; default the first of Options.Assignees
}

// Issues returns the issues of repo ("owner/repo", case-insensitive), or of
// every repository when repo is "", ordered by repository and number.
func (s *Server) Issues(repo string) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshotLocked(repo, s.srv.URL())
}

// Issue returns one issue and whether it exists.
func (s *Server) Issue(repo string, number int) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(repo, false)
	if r == nil || r.issue(number) == nil {
		return Issue{}, false
	}
	return snapshot(r, r.issue(number), s.srv.URL()), true
}

// CloseIssue closes an issue as completed, the way a person marking the work
// done would (closed_by is the first of Options.Assignees). Closing a closed
// issue does nothing.
func (s *Server) CloseIssue(repo string, number int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(repo, false)
	if r == nil || r.issue(number) == nil {
		return fmt.Errorf("githubemu: no issue %s#%d", repo, number)
	}
	if is := r.issue(number); is.state != "closed" {
		is.close(s.now(), s.opts.Assignees[0], "completed")
		s.changedIssue(r, is)
	}
	return s.commitLocked()
}

// AddIssue creates an issue directly, as if someone had opened it on GitHub,
// with the same validation as the API.
func (s *Server) AddIssue(repo string, in IssueInput) (Issue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(repo, true)
	if r == nil {
		return Issue{}, fmt.Errorf("githubemu: repository %q is not declared", repo)
	}
	req := &issueRequest{Title: &in.Title, Body: &in.Body, Labels: (*labelList)(&in.Labels),
		Assignees: &in.Assignees}
	c, errs := s.checkLocked(r, req, true)
	if len(errs) > 0 {
		return Issue{}, fmt.Errorf("githubemu: invalid issue: %s %s %v", errs[0].Field, errs[0].Code, errs[0].Value)
	}
	if in.User == "" {
		in.User = s.opts.Assignees[0]
	}
	now := s.now()
	is := &issueState{id: s.newID(), number: len(r.issues) + 1, title: in.Title, body: in.Body,
		labels: s.applyLabels(r, c.labels), assignees: c.assignees, state: "open",
		user: in.User, createdAt: now, updatedAt: now}
	r.issues = append(r.issues, is)
	s.changedIssue(r, is)
	if err := s.commitLocked(); err != nil {
		return Issue{}, err
	}
	return snapshot(r, is, s.srv.URL()), nil
}

func (s *Server) snapshotLocked(repo, web string) []Issue {
	var repos []*repoState
	for key, r := range s.repos {
		if repo == "" || key == strings.ToLower(repo) {
			repos = append(repos, r)
		}
	}
	sort.Slice(repos, func(i, j int) bool {
		return strings.ToLower(repos[i].fullName()) < strings.ToLower(repos[j].fullName())
	})
	out := []Issue{}
	for _, r := range repos {
		for _, is := range r.issues {
			out = append(out, snapshot(r, is, web))
		}
	}
	return out
}

func snapshot(r *repoState, is *issueState, web string) Issue {
	out := Issue{Repo: r.fullName(), Number: is.number, Title: is.title, Body: is.body,
		Labels: append([]string{}, is.labels...), Assignees: append([]string{}, is.assignees...),
		State: is.state, StateReason: is.stateReason, User: is.user,
		HTMLURL: htmlURL(web, r, is.number), CreatedAt: is.createdAt, UpdatedAt: is.updatedAt,
		ClosedAt: is.closedAt, ClosedBy: is.closedBy}
	for _, c := range is.comments {
		out.Comments = append(out.Comments, Comment{ID: c.id, User: c.user, Body: c.body, CreatedAt: c.createdAt})
	}
	return out
}
