package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/incidentflow/incidentflow/incident"
)

// PostmortemRequest publishes an incident's postmortem.
type PostmortemRequest struct {
	IncidentID string `json:"incident_id"`
	Title      string `json:"title"`
	// Body is the whole draft, used when the issue doesn't exist yet.
	Body string `json:"body"`
	// ActionItems is the content of the action-item section, replaced in an
	// issue that already exists; the rest of it belongs to the team.
	ActionItems string   `json:"action_items"`
	Labels      []string `json:"labels"`
	// NotBefore is when the incident was declared: no older issue can be
	// its postmortem.
	NotBefore time.Time `json:"not_before"`
	// Repo (owner/name) receives the postmortem instead of the configured
	// repository: a security incident's private one. Empty: the configured.
	Repo string `json:"repo,omitempty"`
}

// PublishPostmortem opens the postmortem issue of req.IncidentID, or finds
// the one already open (by its marker) and brings its action-item section up
// to date. It never opens a second one.
func (g *GitHub) PublishPostmortem(ctx context.Context, req PostmortemRequest) (IssueResult, error) {
	return beating(ctx, func() (IssueResult, error) { return g.publishPostmortem(ctx, req) })
}

// publishPostmortem is PublishPostmortem's body; PublishPostmortem heartbeats around it.
func (g *GitHub) publishPostmortem(ctx context.Context, req PostmortemRequest) (IssueResult, error) {
	g = g.in(req.Repo)
	if err := g.check(); err != nil {
		return IssueResult{}, err
	}
	found, err := g.findByMarker(ctx, incident.PostmortemMarker(req.IncidentID), req.NotBefore)
	if err != nil {
		return IssueResult{}, err
	}
	if found == nil {
		is, warnings, err := g.create(ctx, &github.IssueRequest{Title: &req.Title, Body: &req.Body, Labels: &req.Labels})
		return IssueResult{Issue: issueOf(is), Warnings: warnings}, err
	}
	body, ok := incident.ReplaceSection(found.GetBody(), incident.ActionItemsSection, req.ActionItems)
	edit := cleanIssue(&github.IssueRequest{Body: &body})
	if !ok || edit.GetBody() == found.GetBody() {
		return IssueResult{Issue: issueOf(found)}, nil
	}
	is, _, err := g.client.Issues.Edit(ctx, g.owner, g.name, found.GetNumber(), edit)
	if err != nil {
		return IssueResult{}, g.githubError(fmt.Sprintf("update the postmortem #%d", found.GetNumber()), err)
	}
	return IssueResult{Issue: issueOf(is)}, nil
}

// ActionItemIssueRequest opens the issue of one action item.
type ActionItemIssueRequest struct {
	// Key identifies the item; its marker goes in the body.
	Key       string    `json:"key"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Labels    []string  `json:"labels"`
	Assignee  string    `json:"assignee,omitempty"`
	NotBefore time.Time `json:"not_before"`
	// Repo (owner/name) receives the issue instead of the configured
	// repository: a security incident's private one. Empty: the configured.
	Repo string `json:"repo,omitempty"`
}

// IssueResult is an issue incidentflow opened or found, with what could not
// be set on it.
type IssueResult struct {
	Issue
	// Warnings say what GitHub refused (an assignee, labels) and what to
	// change, for the war room.
	Warnings []string `json:"warnings,omitempty"`
}

// OpenActionItem opens the issue of an action item, or returns the one a
// previous attempt opened (found by the marker of req.Key in its body). When
// GitHub rejects the assignee or a label (422), the issue is opened without
// them and Warnings say so.
func (g *GitHub) OpenActionItem(ctx context.Context, req ActionItemIssueRequest) (IssueResult, error) {
	return beating(ctx, func() (IssueResult, error) { return g.openActionItem(ctx, req) })
}

// openActionItem is OpenActionItem's body; OpenActionItem heartbeats around it.
func (g *GitHub) openActionItem(ctx context.Context, req ActionItemIssueRequest) (IssueResult, error) {
	g = g.in(req.Repo)
	if err := g.check(); err != nil {
		return IssueResult{}, err
	}
	marker := incident.ActionItemMarker(req.Key)
	if !strings.Contains(req.Body, marker) {
		req.Body = marker + "\n" + req.Body
	}
	found, err := g.findByMarker(ctx, marker, req.NotBefore)
	if err != nil || found != nil {
		return IssueResult{Issue: issueOf(found)}, err
	}
	ir := &github.IssueRequest{Title: &req.Title, Body: &req.Body}
	if len(req.Labels) > 0 {
		ir.Labels = &req.Labels
	}
	if req.Assignee != "" {
		ir.Assignees = &[]string{req.Assignee}
	}
	is, warnings, err := g.create(ctx, ir)
	return IssueResult{Issue: issueOf(is), Warnings: warnings}, err
}

// create opens an issue, cleaned by cleanIssue. On 422 it drops the fields
// GitHub names (the assignees, the labels; both when it names neither) and
// tries again, returning a warning for each field dropped.
func (g *GitHub) create(ctx context.Context, ir *github.IssueRequest) (*github.Issue, []string, error) {
	ir = cleanIssue(ir)
	var warnings []string
	for {
		is, _, err := g.client.Issues.Create(ctx, g.owner, g.name, ir)
		if err == nil {
			return is, warnings, nil
		}
		dropped := g.dropRejected(err, ir)
		if len(dropped) == 0 {
			return nil, warnings, g.githubError("open an issue", err)
		}
		warnings = append(warnings, dropped...)
	}
}

// cleanIssue returns a copy of ir whose title, body, labels and assignees
// are cleaned of control and bidi characters. Every issue incidentflow
// opens or edits goes through it.
func cleanIssue(ir *github.IssueRequest) *github.IssueRequest {
	out := *ir
	out.Title, out.Body = cleanPtr(ir.Title), cleanPtr(ir.Body)
	out.Labels, out.Assignees = cleanAll(ir.Labels), cleanAll(ir.Assignees)
	return &out
}

func cleanPtr(s *string) *string {
	if s == nil {
		return nil
	}
	c := incident.Clean(*s)
	return &c
}

func cleanAll(list *[]string) *[]string {
	if list == nil {
		return nil
	}
	out := make([]string, len(*list))
	for i, s := range *list {
		out[i] = incident.Clean(s)
	}
	return &out
}

// dropRejected removes from ir the fields a 422 answer rejects and says what
// it removed; nothing when err isn't such an answer or nothing is left to
// drop.
func (g *GitHub) dropRejected(err error, ir *github.IssueRequest) []string {
	var resp *github.ErrorResponse
	if !errors.As(err, &resp) || resp.Response == nil || resp.Response.StatusCode != http.StatusUnprocessableEntity {
		return nil
	}
	badAssignee, badLabels := false, false
	for _, e := range resp.Errors {
		switch e.Field {
		case "assignee", "assignees":
			badAssignee = true
		case "labels", "label":
			badLabels = true
		}
	}
	if !badAssignee && !badLabels {
		badAssignee, badLabels = true, true
	}
	var out []string
	if badAssignee && ir.Assignees != nil {
		out = append(out, fmt.Sprintf("GitHub can't assign %s in %s, so the issue has no assignee: map the Slack user to a GitHub login with access to the repository in retrospective.assignees",
			strings.Join(*ir.Assignees, ", "), g.repo))
		ir.Assignees = nil
	}
	if badLabels && ir.Labels != nil {
		out = append(out, fmt.Sprintf("GitHub refused the labels %s in %s, so the issue has none: create them in the repository or change retrospective.labels",
			strings.Join(*ir.Labels, ", "), g.repo))
		ir.Labels = nil
	}
	return out
}
