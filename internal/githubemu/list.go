package githubemu

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (s *Server) handleList(x *req) {
	q := x.r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var labels []string
	for _, l := range strings.Split(q.Get("labels"), ",") {
		if l = strings.TrimSpace(l); l != "" {
			labels = append(labels, l)
		}
	}
	assignee, creator := q.Get("assignee"), q.Get("creator")
	var since time.Time
	if v := q.Get("since"); v != "" {
		since, _ = time.Parse(time.RFC3339, v)
	}
	s.withRepo(x, func(r *repoState) {
		var hits []*issueState
		for _, is := range r.issues {
			switch {
			case state != "all" && is.state != state,
				creator != "" && !strings.EqualFold(is.user, creator),
				assignee == "none" && len(is.assignees) > 0,
				assignee == "*" && len(is.assignees) == 0,
				assignee != "" && assignee != "none" && assignee != "*" && !is.hasAssignee(assignee),
				!since.IsZero() && is.updatedAt.Before(since):
				continue
			}
			if hasAllLabels(is, labels) {
				hits = append(hits, is)
			}
		}
		sortIssues(hits, q.Get("sort"), q.Get("direction") != "asc")
		b := x.bases()
		writeJSON(x.w, http.StatusOK, onePage(x, hits, func(is *issueState) apiIssue { return b.issue(r, is) }))
	})
}

func hasAllLabels(is *issueState, labels []string) bool {
	for _, l := range labels {
		if !is.hasLabel(l) {
			return false
		}
	}
	return true
}

// sortIssues orders by "created" (default), "updated" or "comments".
func sortIssues(list []*issueState, by string, desc bool) {
	key := func(is *issueState) int64 { return is.createdAt.UnixNano() }
	switch by {
	case "updated":
		key = func(is *issueState) int64 { return is.updatedAt.UnixNano() }
	case "comments":
		key = func(is *issueState) int64 { return int64(len(is.comments)) }
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		ka, kb := key(a), key(b)
		if ka == kb {
			ka, kb = a.id, b.id
		}
		if desc {
			return ka > kb
		}
		return ka < kb
	})
}

// onePage returns, each as api gives it, the items on the page the request
// asks for (page and per_page), and sets the Link header to the others.
func onePage[T, A any](x *req, items []T, api func(T) A) []A {
	page, per := pageParams(x.r.URL.Query())
	lo, hi := window(len(items), page, per)
	setLink(x, len(items), page, per)
	out := make([]A, 0, hi-lo)
	for _, it := range items[lo:hi] {
		out = append(out, api(it))
	}
	return out
}

// pageParams reads page (default 1) and per_page (default 30, at most 100).
func pageParams(q url.Values) (page, per int) {
	page, per = 1, defaultPerPage
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		per = min(v, maxPerPage)
	}
	return page, per
}

// window returns the slice bounds of one page out of n items.
func window(n, page, per int) (lo, hi int) {
	lo = min((page-1)*per, n)
	return lo, min(lo+per, n)
}

// setLink sets GitHub's Link header (rel prev/next/last/first) when there is
// more than one page.
func setLink(x *req, total, page, per int) {
	last := max(1, (total+per-1)/per)
	if last == 1 && page == 1 {
		return
	}
	link := func(p int, rel string) string {
		q := x.r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(per))
		return "<" + x.webBase + x.r.URL.Path + "?" + q.Encode() + `>; rel="` + rel + `"`
	}
	var parts []string
	if page > 1 {
		parts = append(parts, link(min(page-1, last), "prev"))
	}
	if page < last {
		parts = append(parts, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		parts = append(parts, link(1, "first"))
	}
	x.w.Header().Set("Link", strings.Join(parts, ", "))
}
