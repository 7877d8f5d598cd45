package githubemu

import (
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The JSON shapes below follow GitHub's REST API (the fields go-github reads).

type apiUser struct {
	Login     string `json:"login"`
	ID        int64  `json:"id"`
	NodeID    string `json:"node_id"`
	AvatarURL string `json:"avatar_url"`
	URL       string `json:"url"`
	HTMLURL   string `json:"html_url"`
	Type      string `json:"type"`
	SiteAdmin bool   `json:"site_admin"`
	Name      string `json:"name,omitempty"`
}

type apiLabel struct {
	ID          int64   `json:"id"`
	NodeID      string  `json:"node_id"`
	URL         string  `json:"url"`
	Name        string  `json:"name"`
	Color       string  `json:"color"`
	Default     bool    `json:"default"`
	Description *string `json:"description"`
}

type apiIssue struct {
	URL               string     `json:"url"`
	RepositoryURL     string     `json:"repository_url"`
	LabelsURL         string     `json:"labels_url"`
	CommentsURL       string     `json:"comments_url"`
	EventsURL         string     `json:"events_url"`
	HTMLURL           string     `json:"html_url"`
	ID                int64      `json:"id"`
	NodeID            string     `json:"node_id"`
	Number            int        `json:"number"`
	Title             string     `json:"title"`
	User              apiUser    `json:"user"`
	Labels            []apiLabel `json:"labels"`
	State             string     `json:"state"`
	Locked            bool       `json:"locked"`
	Assignee          *apiUser   `json:"assignee"`
	Assignees         []apiUser  `json:"assignees"`
	Milestone         any        `json:"milestone"`
	Comments          int        `json:"comments"`
	CreatedAt         string     `json:"created_at"`
	UpdatedAt         string     `json:"updated_at"`
	ClosedAt          *string    `json:"closed_at"`
	ClosedBy          *apiUser   `json:"closed_by,omitempty"`
	AuthorAssociation string     `json:"author_association"`
	StateReason       *string    `json:"state_reason"`
	Body              *string    `json:"body"`
	Score             *float64   `json:"score,omitempty"`
}

type apiComment struct {
	ID                int64   `json:"id"`
	NodeID            string  `json:"node_id"`
	URL               string  `json:"url"`
	HTMLURL           string  `json:"html_url"`
	IssueURL          string  `json:"issue_url"`
	User              apiUser `json:"user"`
	CreatedAt         string  `json:"created_at"`
	UpdatedAt         string  `json:"updated_at"`
	AuthorAssociation string  `json:"author_association"`
	Body              string  `json:"body"`
}

type apiRepo struct {
	ID              int64   `json:"id"`
	NodeID          string  `json:"node_id"`
	Name            string  `json:"name"`
	FullName        string  `json:"full_name"`
	Owner           apiUser `json:"owner"`
	Private         bool    `json:"private"`
	HTMLURL         string  `json:"html_url"`
	Description     *string `json:"description"`
	URL             string  `json:"url"`
	DefaultBranch   string  `json:"default_branch"`
	HasIssues       bool    `json:"has_issues"`
	OpenIssuesCount int     `json:"open_issues_count"`
	OpenIssues      int     `json:"open_issues"`
	Visibility      string  `json:"visibility"`
}

// bases holds the URL prefixes links are built from.
type bases struct{ api, web string }

func (x *req) bases() bases { return bases{api: x.apiBase, web: x.webBase} }

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// userID derives a stable numeric id from a login.
func userID(login string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(strings.ToLower(login)))
	return int64(h.Sum32()%90_000_000) + 10_000_000
}

func (b bases) user(login string) apiUser {
	id := userID(login)
	return apiUser{Login: login, ID: id, NodeID: "U_emu" + strconv.FormatInt(id, 10),
		AvatarURL: b.web + "/_emu/avatar/" + login, URL: b.api + "/users/" + login,
		HTMLURL: b.web + "/" + login, Type: "User"}
}

func (b bases) label(r *repoState, l *labelState) apiLabel {
	return apiLabel{ID: l.id, NodeID: "LA_emu" + strconv.FormatInt(l.id, 10),
		URL:  b.api + "/repos/" + r.fullName() + "/labels/" + url.PathEscape(l.name),
		Name: l.name, Color: l.color, Description: strPtr(l.description)}
}

func (b bases) issue(r *repoState, is *issueState) apiIssue {
	repoURL := b.api + "/repos/" + r.fullName()
	self := repoURL + "/issues/" + strconv.Itoa(is.number)
	out := apiIssue{
		URL: self, RepositoryURL: repoURL, LabelsURL: self + "/labels{/name}",
		CommentsURL: self + "/comments", EventsURL: self + "/events",
		HTMLURL: htmlURL(b.web, r, is.number), ID: is.id,
		NodeID: "I_emu" + strconv.FormatInt(is.id, 10), Number: is.number, Title: is.title,
		User: b.user(is.user), Labels: []apiLabel{}, State: is.state,
		Assignees: []apiUser{}, Comments: len(is.comments), CreatedAt: ts(is.createdAt),
		UpdatedAt: ts(is.updatedAt), AuthorAssociation: "OWNER",
		StateReason: strPtr(is.stateReason), Body: strPtr(is.body),
	}
	for _, name := range is.labels {
		if l := r.labels[strings.ToLower(name)]; l != nil {
			out.Labels = append(out.Labels, b.label(r, l))
		}
	}
	for _, a := range is.assignees {
		out.Assignees = append(out.Assignees, b.user(a))
	}
	if len(out.Assignees) > 0 {
		first := out.Assignees[0]
		out.Assignee = &first
	}
	if is.state == "closed" {
		c := ts(is.closedAt)
		out.ClosedAt = &c
		if is.closedBy != "" {
			u := b.user(is.closedBy)
			out.ClosedBy = &u
		}
	}
	return out
}

func (b bases) comment(r *repoState, is *issueState, c *commentState) apiComment {
	issueURL := b.api + "/repos/" + r.fullName() + "/issues/" + strconv.Itoa(is.number)
	id := strconv.FormatInt(c.id, 10)
	return apiComment{ID: c.id, NodeID: "IC_emu" + id,
		URL:     b.api + "/repos/" + r.fullName() + "/issues/comments/" + id,
		HTMLURL: htmlURL(b.web, r, is.number) + "#issuecomment-" + id, IssueURL: issueURL,
		User: b.user(c.user), CreatedAt: ts(c.createdAt), UpdatedAt: ts(c.createdAt),
		AuthorAssociation: "OWNER", Body: c.body}
}

func (b bases) repo(r *repoState) apiRepo {
	open := 0
	for _, is := range r.issues {
		if is.state == "open" {
			open++
		}
	}
	return apiRepo{ID: r.id, NodeID: "R_emu" + strconv.FormatInt(r.id, 10), Name: r.name,
		FullName: r.fullName(), Owner: b.user(r.owner), HTMLURL: b.web + "/" + r.fullName(),
		URL: b.api + "/repos/" + r.fullName(), DefaultBranch: "main", HasIssues: true,
		OpenIssuesCount: open, OpenIssues: open, Visibility: "public"}
}

// htmlURL is an issue's page: {web}/{owner}/{repo}/issues/{n}.
func htmlURL(web string, r *repoState, n int) string {
	return web + "/" + r.fullName() + "/issues/" + strconv.Itoa(n)
}
