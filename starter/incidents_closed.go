package starter

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// ResolvedError means a change was asked of an incident that is resolved
// already: its workflow has ended (Temporal then answers "not found") or is
// finishing. It says when and by whom it was resolved.
type ResolvedError struct {
	ID string
	// At is when it was resolved, in the process's time zone.
	At time.Time
	// By is who resolved it: a Slack user ID, or how it was resolved when
	// no Slack person did ("the CLI on host h").
	By string
}

func (e *ResolvedError) Error() string {
	return fmt.Sprintf("incident %s was already resolved at %s by %s; if the problem is back, declare a new incident",
		e.ID, incident.Clock(e.At, e.At.Location()), orNone(e.By))
}

// resolvedLookupTimeout bounds the query that tells a resolved incident
// from a missing one after a change was refused; a closed workflow answers
// it only through a worker that replays its history.
const resolvedLookupTimeout = 5 * time.Second

// asResolved returns a *ResolvedError when incident id is resolved, and err
// otherwise: a change refused because the incident is closed is explained by
// when and by whom it was closed, not as "no such incident".
func (s *Incidents) asResolved(ctx context.Context, id string, err error) error {
	if errors.Is(err, ErrUnavailable) || errors.Is(err, ErrPending) {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), resolvedLookupTimeout)
	defer cancel()
	inc, gerr := s.Get(ctx, id)
	if gerr != nil || !inc.IsResolved() {
		return err
	}
	return &ResolvedError{ID: id, At: inc.ResolvedAt.In(s.Process.Location()), By: inc.ResolvedBy}
}

// ListFilter chooses the incidents ListMatching returns. The zero filter
// is the open incidents.
type ListFilter struct {
	// Closed includes incidents whose workflow has ended: resolved ones,
	// and any an operator terminated.
	Closed bool
	// Status keeps only the incidents in this status (IncidentStatus);
	// resolved or any other status looks at ended incidents too.
	Status incident.Status
	// Since keeps only the incidents declared at or after it.
	Since time.Time
	// Limit is the most incidents returned (default 100).
	Limit int
}

// IncludesClosed reports whether f lists incidents whose workflow has ended:
// asked for, or implied by a status (resolved incidents have ended).
func (f ListFilter) IncludesClosed() bool { return f.Closed || f.Status != "" }

// Statuses are every status an incident can be in, for ListFilter.Status.
var Statuses = append(slices.Clone(incident.UpdateStatuses), incident.Resolved)

// Check reports a filter ListMatching can't use: an unknown status.
func (f ListFilter) Check() error {
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return fmt.Errorf("unknown status %q: use one of %s", f.Status, strings.Join(StatusNames(), ", "))
	}
	return nil
}

// query is the visibility query of f. Each run an incident continued as new
// from is left out, so an incident is listed once.
func (f ListFilter) query() (string, error) {
	if err := f.Check(); err != nil {
		return "", err
	}
	q := []string{fmt.Sprintf("WorkflowType = '%s'", wfapi.IncidentWorkflowName)}
	if f.Status != "" {
		q = append(q, fmt.Sprintf("%s = '%s'", wfapi.SearchStatus.GetName(), f.Status))
	}
	if f.IncludesClosed() {
		q = append(q, "ExecutionStatus != 'ContinuedAsNew'")
	} else {
		q = append(q, "ExecutionStatus = 'Running'")
	}
	if !f.Since.IsZero() {
		q = append(q, fmt.Sprintf("StartTime >= '%s'", f.Since.UTC().Format(time.RFC3339)))
	}
	return strings.Join(q, " AND "), nil
}

// StatusNames are the names of Statuses, for messages and help.
func StatusNames() []string {
	names := make([]string, len(Statuses))
	for i, st := range Statuses {
		names[i] = string(st)
	}
	return names
}

// ListMatching returns the incidents (and maintenance windows) f chooses,
// newest first, from Temporal visibility: open ones with their current
// search attributes, ended ones with those they ended with.
func (s *Incidents) ListMatching(ctx context.Context, f ListFilter) ([]Summary, error) {
	query, err := f.query()
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	req := listRequest(query, int32(min(limit, 1000)))
	var out []Summary
	for {
		resp, err := s.Client.ListWorkflow(ctx, req)
		if err != nil {
			return nil, explain(err, "")
		}
		for _, ex := range resp.Executions {
			out = append(out, summaryOf(ex, s.DataConverter))
		}
		req.NextPageToken = resp.NextPageToken
		if len(out) >= limit || len(req.NextPageToken) == 0 {
			break
		}
	}
	out = out[:min(len(out), limit)]
	slices.SortStableFunc(out, func(a, b Summary) int { return b.StartedAt.Compare(a.StartedAt) })
	s.fillTitles(ctx, out)
	return out, nil
}

// closedStatus names how a workflow ended, for Summary.Ended.
func closedStatus(st enumspb.WorkflowExecutionStatus) string {
	if st == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return ""
	}
	return strings.ToLower(strings.TrimPrefix(st.String(), "WORKFLOW_EXECUTION_STATUS_"))
}
