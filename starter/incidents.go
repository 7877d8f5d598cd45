// Package starter is everything that starts or drives incident workflows
// from outside: the Slack front door (slash commands, modals, buttons over
// HTTP and Socket Mode) and the operations the CLI verbs call. It never talks
// to Slack on an incident's behalf; the workflows do.
package starter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows"
)

// Incidents starts and drives incident workflows through a Temporal client.
// Both the Slack front door and the CLI use it.
type Incidents struct {
	Client    client.Client
	TaskQueue string
	Process   incident.Process
}

// ErrNotFound means no incident has the given ID.
var ErrNotFound = errors.New("no such incident")

// Declare starts the incident d declares, or joins it if an incident with the
// same ID already exists (a double submit, a Slack retry), using
// Update-With-Start. With wait it returns once the war room exists;
// otherwise once the workflow has accepted the declaration, with only the ID
// and workflow ID filled.
func (s *Incidents) Declare(ctx context.Context, d incident.Declaration, wait bool) (workflows.WarRoom, error) {
	if err := s.Process.CheckSeverity(d.Severity); err != nil {
		return workflows.WarRoom{}, err
	}
	if strings.TrimSpace(d.Title) == "" {
		return workflows.WarRoom{}, errors.New("an incident needs a title")
	}
	if d.DeclaredAt.IsZero() {
		d.DeclaredAt = time.Now().UTC()
	}
	if d.Kind == "" {
		d.Kind = incident.KindIncident
	}
	wfID := workflows.IncidentWorkflowID(d.ID)
	start := s.Client.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       wfID,
		TaskQueue:                s.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		StaticSummary:            fmt.Sprintf("%s %s: %s", strings.ToUpper(string(d.Severity)), d.Kind, workflows.ListedTitle(d)),
		StaticDetails:            staticDetails(d),
		TypedSearchAttributes:    temporalSearchAttributes(d),
		Memo:                     map[string]any{workflows.MemoTitle: workflows.ListedTitle(d)},
	}, workflows.IncidentWorkflowName, workflows.IncidentInput{Declaration: d, Process: s.Process})
	stage := client.WorkflowUpdateStageAccepted
	if wait {
		stage = client.WorkflowUpdateStageCompleted
	}
	handle, err := s.Client.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID:   wfID,
			UpdateName:   workflows.UpdateWarRoomReady,
			WaitForStage: stage,
		},
	})
	if err != nil {
		return workflows.WarRoom{}, explain(err, d.ID)
	}
	room := workflows.WarRoom{ID: d.ID, WorkflowID: wfID}
	if wait {
		if err := handle.Get(ctx, &room); err != nil {
			return room, explain(err, d.ID)
		}
	}
	return room, nil
}

func staticDetails(d incident.Declaration) string {
	if d.Security {
		return "Security incident: details are kept in its private war room."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**\n\n", d.Title)
	if d.Summary != "" {
		fmt.Fprintf(&b, "%s\n\n", d.Summary)
	}
	fmt.Fprintf(&b, "Severity: %s  \nService: %s  \nCommander: %s  \nDeclared by: %s at %s",
		d.Severity, orNone(d.Service), orNone(d.Commander), orNone(d.Declarer), d.DeclaredAt.Format(time.RFC3339))
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// ErrPending means Temporal accepted a request (the workflow's validator
// passed, so it will be carried out) but its result didn't come back before
// the caller's deadline. The Slack front door asks for it with
// AcceptedIsEnough, so a slow activity never makes it miss Slack's 3 seconds.
var ErrPending = errors.New("accepted by the incident; its result isn't back yet")

type acceptedKey struct{}

// AcceptedIsEnough marks ctx so that an update through Incidents returns
// ErrPending instead of a deadline error when the workflow has accepted the
// update but not finished it when ctx expires.
func AcceptedIsEnough(ctx context.Context) context.Context {
	return context.WithValue(ctx, acceptedKey{}, true)
}

// updateWorkflow sends a named update to workflowID and decodes its result
// into out (which may be nil). With a context marked by AcceptedIsEnough it
// returns ErrPending when the update was accepted but its result isn't back
// before ctx expires. Other errors are Temporal's, for the caller to
// explain.
func updateWorkflow(ctx context.Context, c client.Client, workflowID, name string, arg, out any) error {
	stage := client.WorkflowUpdateStageCompleted
	accepted, _ := ctx.Value(acceptedKey{}).(bool)
	if accepted {
		stage = client.WorkflowUpdateStageAccepted
	}
	handle, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: name, Args: []any{arg}, WaitForStage: stage,
	})
	if err != nil {
		return err
	}
	if err := handle.Get(ctx, out); err != nil {
		if accepted && ctx.Err() != nil {
			return ErrPending
		}
		return err
	}
	return nil
}

// update sends a named update to incident id and decodes its result into out
// (which may be nil).
func (s *Incidents) update(ctx context.Context, id, name string, arg, out any) error {
	err := updateWorkflow(ctx, s.Client, workflows.IncidentWorkflowID(id), name, arg, out)
	if err != nil && !errors.Is(err, ErrPending) {
		return explain(err, id)
	}
	return err
}

// PostStatus posts a status update to incident id.
func (s *Incidents) PostStatus(ctx context.Context, id string, req workflows.PostStatusRequest) error {
	return s.update(ctx, id, workflows.UpdatePostStatus, req, nil)
}

// SetSeverity changes incident id's severity.
func (s *Incidents) SetSeverity(ctx context.Context, id string, req workflows.SetSeverityRequest) error {
	return s.update(ctx, id, workflows.UpdateSetSeverity, req, nil)
}

// AssignRole gives a role in incident id to a user.
func (s *Incidents) AssignRole(ctx context.Context, id string, req workflows.AssignRoleRequest) error {
	return s.update(ctx, id, workflows.UpdateAssignRole, req, nil)
}

// AddActionItem records an action item on incident id.
func (s *Incidents) AddActionItem(ctx context.Context, id string, req workflows.AddActionItemRequest) error {
	return s.update(ctx, id, workflows.UpdateAddActionItem, req, nil)
}

// Resolve resolves incident id.
func (s *Incidents) Resolve(ctx context.Context, id string, req workflows.ResolveRequest) error {
	return s.update(ctx, id, workflows.UpdateResolve, req, nil)
}

// Get returns the whole state of incident id, open or resolved.
func (s *Incidents) Get(ctx context.Context, id string) (incident.Incident, error) {
	var inc incident.Incident
	resp, err := s.Client.QueryWorkflow(ctx, workflows.IncidentWorkflowID(id), "", workflows.QueryIncident)
	if err != nil {
		return inc, explain(err, id)
	}
	if err := resp.Get(&inc); err != nil {
		return inc, fmt.Errorf("incident %s: reading its state: %w", id, err)
	}
	return inc, nil
}

// ByChannel returns the ID of the open incident whose war room is channelID,
// from the search attribute IncidentChannel.
func (s *Incidents) ByChannel(ctx context.Context, channelID string) (string, error) {
	if !safeQueryValue(channelID) {
		return "", ErrNotFound
	}
	query := fmt.Sprintf("%s = '%s' AND ExecutionStatus = 'Running' AND WorkflowType = '%s'",
		workflows.SearchChannel.GetName(), channelID, workflows.IncidentWorkflowName)
	resp, err := s.Client.ListWorkflow(ctx, listRequest(query, 1))
	if err != nil {
		return "", explain(err, "")
	}
	if len(resp.Executions) == 0 {
		return "", ErrNotFound
	}
	return strings.TrimPrefix(resp.Executions[0].Execution.WorkflowId, "incident-"), nil
}

// Summary is one incident in a list.
type Summary struct {
	ID         string    `json:"id"`
	WorkflowID string    `json:"workflow_id"`
	Severity   string    `json:"severity"`
	Status     string    `json:"status"`
	Commander  string    `json:"commander"`
	Kind       string    `json:"kind"`
	ChannelID  string    `json:"channel_id"`
	Title      string    `json:"title"`
	StartedAt  time.Time `json:"started_at"`
}

// List returns the open incidents (and maintenance windows in progress),
// newest first, from Temporal visibility.
func (s *Incidents) List(ctx context.Context) ([]Summary, error) {
	query := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", workflows.IncidentWorkflowName)
	resp, err := s.Client.ListWorkflow(ctx, listRequest(query, 100))
	if err != nil {
		return nil, explain(err, "")
	}
	out := make([]Summary, 0, len(resp.Executions))
	for _, ex := range resp.Executions {
		sum := Summary{
			WorkflowID: ex.Execution.WorkflowId,
			ID:         strings.TrimPrefix(ex.Execution.WorkflowId, "incident-"),
			StartedAt:  ex.StartTime.AsTime(),
		}
		fields := ex.GetSearchAttributes().GetIndexedFields()
		for name, dst := range map[string]*string{
			workflows.SearchSeverity.GetName():  &sum.Severity,
			workflows.SearchStatus.GetName():    &sum.Status,
			workflows.SearchCommander.GetName(): &sum.Commander,
			workflows.SearchKind.GetName():      &sum.Kind,
			workflows.SearchChannel.GetName():   &sum.ChannelID,
		} {
			if p, ok := fields[name]; ok {
				_ = converter.GetDefaultDataConverter().FromPayload(p, dst)
			}
		}
		if p, ok := ex.GetMemo().GetFields()[workflows.MemoTitle]; ok {
			_ = converter.GetDefaultDataConverter().FromPayload(p, &sum.Title)
		}
		out = append(out, sum)
	}
	s.fillTitles(ctx, out)
	return out, nil
}

// fillTitles asks the listed incidents whose memo has no title (those
// declared before the memo held it) for their title; one that doesn't
// answer in time keeps an empty title.
func (s *Incidents) fillTitles(ctx context.Context, list []Summary) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := range list {
		if list[i].Title != "" {
			continue
		}
		wg.Go(func() {
			if inc, err := s.Get(ctx, list[i].ID); err == nil {
				list[i].Title = workflows.ListedTitle(inc.Declaration)
			}
		})
	}
	wg.Wait()
}

// safeQueryValue keeps user-supplied values out of visibility queries unless
// they are plain identifiers.
func safeQueryValue(v string) bool {
	return v != "" && strings.IndexFunc(v, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) < 0
}

// explain turns Temporal errors into sentences a responder can act on.
func explain(err error, id string) error {
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		if id != "" {
			return fmt.Errorf("incident %s: %w (check the ID with `incidentflow list`)", id, ErrNotFound)
		}
		return ErrNotFound
	case isUnavailable(err):
		return fmt.Errorf("%w right now (%v); try again in a minute", ErrUnavailable, err)
	}
	return err
}

// ErrUnavailable means Temporal could not be reached or did not answer in
// time. Errors from Incidents wrap it; the original error stays in the text.
var ErrUnavailable = errors.New("Temporal can't be reached")

func isUnavailable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	return errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded)
}

func temporalSearchAttributes(d incident.Declaration) temporal.SearchAttributes {
	commander := d.Commander
	if commander == "" {
		commander = d.Declarer
	}
	return temporal.NewSearchAttributes(
		workflows.SearchSeverity.ValueSet(string(d.Severity)),
		workflows.SearchStatus.ValueSet(string(incident.Investigating)),
		workflows.SearchCommander.ValueSet(commander),
		workflows.SearchKind.ValueSet(string(d.Kind)),
	)
}

func listRequest(query string, size int32) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: size}
}
