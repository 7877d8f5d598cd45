package githubemu

import (
	"net/http"
	"strconv"
)

// route names the operation for a method and path and picks its handler.
func route(method string, segs []string) (string, func(*Server, *req)) {
	get, post, patch := method == http.MethodGet, method == http.MethodPost, method == http.MethodPatch
	n := len(segs)
	switch {
	case n == 1 && segs[0] == "user" && get:
		return "user", (*Server).handleUser
	case n == 1 && segs[0] == "rate_limit" && get:
		return "rate_limit", (*Server).handleRateLimit
	case n == 2 && segs[0] == "search" && segs[1] == "issues" && get:
		return "search", (*Server).handleSearch
	case n < 3 || segs[0] != "repos":
		return "", handleNotFound
	case n == 3 && get:
		return "repo", (*Server).handleRepo
	case n == 4 && segs[3] == "issues" && get:
		return "list", (*Server).handleList
	case n == 4 && segs[3] == "issues" && post:
		return "create", (*Server).handleCreate
	case n == 4 && segs[3] == "labels" && get:
		return "labels", (*Server).handleLabels
	case n == 4 && segs[3] == "labels" && post:
		return "create_label", (*Server).handleCreateLabel
	case n < 5 || segs[3] != "issues" || !isNumber(segs[4]):
		return "", handleNotFound
	case n == 5 && get:
		return "get", (*Server).handleGet
	case n == 5 && patch:
		return "edit", (*Server).handleEdit
	case n == 6 && segs[5] == "comments" && get:
		return "comments", (*Server).handleComments
	case n == 6 && segs[5] == "comments" && post:
		return "comment", (*Server).handleComment
	case n == 6 && segs[5] == "labels" && post:
		return "add_labels", (*Server).handleAddLabels
	}
	return "", handleNotFound
}

func handleNotFound(_ *Server, x *req) { notFound(x.w, docsRoot) }

func isNumber(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0
}

// repoOf finds the request's repository (creating it when allowed); the
// caller holds s.mu. It answers 404 itself when there is none.
func (s *Server) repoOf(x *req) *repoState {
	r := s.repoLocked(x.segs[1]+"/"+x.segs[2], true)
	if r == nil {
		notFound(x.w, docsRoot+"/repos/repos#get-a-repository")
	}
	return r
}

// issueOf finds the request's issue; the caller holds s.mu. It answers 404
// itself when there is none.
func (s *Server) issueOf(x *req) (*repoState, *issueState) {
	r := s.repoOf(x)
	if r == nil {
		return nil, nil
	}
	n, _ := strconv.Atoi(x.segs[4])
	is := r.issue(n)
	if is == nil {
		notFound(x.w, docsRoot+"/issues/issues#get-an-issue")
	}
	return r, is
}

// withRepo calls f with the request's repository (see repoOf) holding s.mu;
// when there is none it has answered 404 and does not call f.
func (s *Server) withRepo(x *req, f func(*repoState)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.repoOf(x); r != nil {
		f(r)
	}
}

// withIssue calls f with the request's issue (see issueOf) holding s.mu;
// when there is none it has answered 404 and does not call f.
func (s *Server) withIssue(x *req, f func(*repoState, *issueState)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, is := s.issueOf(x); is != nil {
		f(r, is)
	}
}
