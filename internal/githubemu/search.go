package githubemu

import (
	"net/http"
	"slices"
	"strings"
)

const docSearch = docsRoot + "/search/search#search-issues-and-pull-requests"

type searchHit struct {
	r  *repoState
	is *issueState
}

func (s *Server) handleSearch(x *req) {
	q := x.r.URL.Query()
	if strings.TrimSpace(q.Get("q")) == "" {
		writeValidation(x.w, docSearch, []fieldError{{Resource: "Search", Code: "missing", Field: "q"}})
		return
	}
	sq := parseQuery(q.Get("q"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.declared) > 0 {
		for _, r := range sq.repos {
			if _, ok := s.declared[r]; !ok {
				writeValidation(x.w, docSearch, []fieldError{{Resource: "Search", Code: "invalid", Field: "q",
					Message: "The listed users and repositories cannot be searched either because the resources do not exist or you do not have permission to view them."}})
				return
			}
		}
	}
	hits, list := s.searchLocked(sq), []*issueState{}
	for _, h := range hits {
		list = append(list, h.is)
	}
	sortIssues(list, q.Get("sort"), q.Get("order") != "asc")
	repoOf := make(map[*issueState]*repoState, len(hits))
	for _, h := range hits {
		repoOf[h.is] = h.r
	}
	score := 1.0
	items := onePage(x, list, func(is *issueState) apiIssue {
		it := x.bases().issue(repoOf[is], is)
		it.Score = &score
		return it
	})
	writeJSON(x.w, http.StatusOK, map[string]any{
		"total_count": len(list), "incomplete_results": false, "items": items})
}

func (s *Server) searchLocked(sq *searchQuery) []searchHit {
	var hits []searchHit
	if sq.nothing {
		return nil
	}
	cutoff := s.now().Add(-s.opts.SearchLag)
	for key, r := range s.repos {
		if len(sq.repos) > 0 && !slices.Contains(sq.repos, key) ||
			len(sq.owners) > 0 && !slices.Contains(sq.owners, strings.ToLower(r.owner)) {
			continue
		}
		for _, is := range r.issues {
			if s.opts.SearchLag > 0 && is.createdAt.After(cutoff) {
				continue
			}
			if sq.matches(is) {
				hits = append(hits, searchHit{r, is})
			}
		}
	}
	return hits
}

func (sq *searchQuery) matches(is *issueState) bool {
	if sq.state != "" && is.state != sq.state ||
		sq.noLabel && len(is.labels) > 0 || sq.noAssignee && len(is.assignees) > 0 {
		return false
	}
	for _, group := range sq.labels {
		if !slices.ContainsFunc(group, is.hasLabel) {
			return false
		}
	}
	if slices.ContainsFunc(sq.notLabels, is.hasLabel) ||
		!all(sq.assignees, is.hasAssignee) ||
		!all(sq.authors, func(a string) bool { return strings.EqualFold(a, is.user) }) {
		return false
	}
	if len(sq.terms) == 0 && len(sq.notTerms) == 0 {
		return true
	}
	fields := sq.fields(is)
	found := func(term []string) bool {
		return slices.ContainsFunc(fields, func(f []string) bool { return containsSeq(f, term) })
	}
	return all(sq.terms, found) && !slices.ContainsFunc(sq.notTerms, found)
}

// fields returns the word lists of the parts of an issue the query searches
// (in:title, in:body, in:comments; all three by default).
func (sq *searchQuery) fields(is *issueState) [][]string {
	allFields := len(sq.in) == 0
	var out [][]string
	if allFields || sq.in["title"] {
		out = append(out, words(is.title))
	}
	if allFields || sq.in["body"] {
		out = append(out, words(is.body))
	}
	if allFields || sq.in["comments"] {
		for _, c := range is.comments {
			out = append(out, words(c.body))
		}
	}
	return out
}

func all[T any](list []T, ok func(T) bool) bool {
	for _, v := range list {
		if !ok(v) {
			return false
		}
	}
	return true
}
