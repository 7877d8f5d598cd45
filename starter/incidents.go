// Package starter is incidentflow's Temporal client API: it starts, updates
// and queries the incident, retrospective and maintenance workflows.
// Every way in calls it — the CLI verbs, the Slack front door, the alert
// door, the benchmark and the end-to-end tests — and it speaks no other
// protocol: it never talks to Slack, and Slack's code never reaches it.
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
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Incidents starts and drives incident workflows through a Temporal client.
// The front doors and the CLI use it.
type Incidents struct {
	Client    client.Client
	TaskQueue string
	// Process is the caller's configured process. The workflows follow the
	// worker's own (Declare sends only the declaration); this one only
	// gives the times Incidents reports their time zone, and the Slack
	// front door its forms' choices when it is given no process itself.
	Process incident.Process
	// DataConverter reads what Temporal hands back still encoded (a listed
	// incident's memo): the one Client encodes payloads with
	// (temporalclient.DataConverter). Nil means the SDK's default.
	DataConverter converter.DataConverter
}

// ErrNotFound means no incident has the given ID.
var ErrNotFound = errors.New("no such incident")

// Declare starts the incident d declares, or joins it if an incident with the
// same ID already exists (a double submit, a Slack retry), using
// Update-With-Start. With wait it returns once the war room exists;
// otherwise once the workflow has accepted the declaration, with only the ID
// and workflow ID filled. A declaration incident.CheckDeclaration refuses
// (no title, a field over its bound) starts nothing: the error is its
// sentence, for every door to show. The workflow follows the worker's
// process and checks d against it: with wait, a declaration it refuses (an
// unknown severity) returns the workflow's sentence, which names the
// severities there are.
func (s *Incidents) Declare(ctx context.Context, d incident.Declaration, wait bool) (incident.WarRoom, error) {
	return s.Start(ctx, wfapi.IncidentInput{Declaration: d}, wait)
}

// Start is Declare with the whole input: a drill's (in.Drill) besides the
// declaration.
func (s *Incidents) Start(ctx context.Context, in wfapi.IncidentInput, wait bool) (incident.WarRoom, error) {
	d := in.Declaration
	if err := incident.CheckDeclaration(d); err != nil {
		return incident.WarRoom{}, err
	}
	if d.DeclaredAt.IsZero() {
		d.DeclaredAt = time.Now().UTC()
	}
	if d.Kind == "" {
		d.Kind = incident.KindIncident
	}
	in.Declaration = d
	wfID := wfapi.IncidentWorkflowID(d.ID)
	start := s.Client.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       wfID,
		TaskQueue:                s.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowTaskTimeout:      wfapi.WorkflowTaskTimeout,
		StaticSummary:            wfapi.IncidentSummary(d),
		StaticDetails:            staticDetails(d),
		TypedSearchAttributes:    wfapi.StartSearchAttributes(d),
		Memo:                     wfapi.Memo(d),
	}, wfapi.IncidentWorkflowName, in)
	stage := client.WorkflowUpdateStageAccepted
	if wait {
		stage = client.WorkflowUpdateStageCompleted
	}
	handle, err := s.Client.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID:   wfID,
			UpdateName:   wfapi.UpdateWarRoomReady,
			WaitForStage: stage,
		},
	})
	if err != nil {
		return incident.WarRoom{}, explain(err, d.ID)
	}
	room := incident.WarRoom{ID: d.ID, WorkflowID: wfID}
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
	commander, declared := d.Commander, "by "+orNone(d.Declarer)
	if commander == "" {
		commander = d.Declarer // the workflow's default
	}
	if d.Declarer == "" && d.DeclaredVia != "" {
		declared = "via " + d.DeclaredVia
	}
	fmt.Fprintf(&b, "Severity: %s  \nService: %s  \nCommander: %s  \nDeclared %s at %s",
		d.Severity, orNone(d.Service), orNone(commander), declared, d.DeclaredAt.Format(time.RFC3339))
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
		WorkflowID: workflowID, UpdateName: name, UpdateID: UpdateID(ctx), Args: []any{arg}, WaitForStage: stage,
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

type updateIDKey struct{}

// WithUpdateID marks ctx so that the update Incidents, Retrospectives,
// Maintenance or Alerts sends with it carries id as its Temporal update ID.
// A workflow run applies an update ID once and answers a repeat with the
// first attempt's result, so a request delivered twice (a Slack retry, a
// replayed request, a CLI verb run again with its --idempotency-key) is
// applied once. Derive id from the request, and use one ctx for one change:
// two different updates sent to the same workflow with one ID would be
// taken for one. (Temporal remembers update IDs per run: after the
// workflow continues as new, an ID is new again.)
func WithUpdateID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, updateIDKey{}, id)
}

// UpdateID is the update ID WithUpdateID put in ctx, or "" for none (then
// Temporal makes one up, and every attempt is a new update).
func UpdateID(ctx context.Context) string {
	id, _ := ctx.Value(updateIDKey{}).(string)
	return id
}

// refuseInvalid checks a request that can check its own fields
// (wfapi.Checker): one that fails is refused as the workflow's validator
// would refuse it (an application error with the same sentence) before
// anything is sent, so a text of megabytes gets the bound's sentence rather
// than gRPC's message-size error.
func refuseInvalid(arg any) error {
	if req, ok := arg.(wfapi.Checker); ok {
		if err := req.Check(); err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), "", nil)
		}
	}
	return nil
}

// update sends a named update to incident id and decodes its result into out
// (which may be nil), once refuseInvalid has let it through.
func (s *Incidents) update(ctx context.Context, id, name string, arg, out any) error {
	if err := refuseInvalid(arg); err != nil {
		return err
	}
	err := updateWorkflow(ctx, s.Client, wfapi.IncidentWorkflowID(id), name, arg, out)
	if err != nil && !errors.Is(err, ErrPending) {
		return s.asResolved(ctx, id, explain(err, id))
	}
	return err
}

// PostStatus posts a status update to incident id.
func (s *Incidents) PostStatus(ctx context.Context, id string, req wfapi.PostStatusRequest) error {
	return s.update(ctx, id, wfapi.UpdatePostStatus, req, nil)
}

// SetSeverity changes incident id's severity.
func (s *Incidents) SetSeverity(ctx context.Context, id string, req wfapi.SetSeverityRequest) error {
	return s.update(ctx, id, wfapi.UpdateSetSeverity, req, nil)
}

// AssignRole gives a role in incident id to a user.
func (s *Incidents) AssignRole(ctx context.Context, id string, req wfapi.AssignRoleRequest) error {
	return s.update(ctx, id, wfapi.UpdateAssignRole, req, nil)
}

// AddActionItem records an action item on incident id.
func (s *Incidents) AddActionItem(ctx context.Context, id string, req wfapi.AddActionItemRequest) error {
	return s.update(ctx, id, wfapi.UpdateAddActionItem, req, nil)
}

// Resolve resolves incident id.
func (s *Incidents) Resolve(ctx context.Context, id string, req wfapi.ResolveRequest) error {
	return s.update(ctx, id, wfapi.UpdateResolve, req, nil)
}

// RecordAlert records a change of the alert group that declared incident
// id (its key is the update ID, so a retry records it once).
func (s *Incidents) RecordAlert(ctx context.Context, id string, req wfapi.RecordAlertRequest) error {
	return s.update(WithUpdateID(ctx, "alert-"+req.Key), id, wfapi.UpdateRecordAlert, req, nil)
}

// MarkMessage applies a mark on a war-room message to incident id's
// timeline and says what it did. key identifies the Slack request it comes
// from (the event's event_id, the shortcut's trigger_id): it is the
// update's ID, so a redelivered event or a second replica applies it once.
func (s *Incidents) MarkMessage(ctx context.Context, id, key string, req wfapi.MarkMessageRequest) (incident.MarkOutcome, error) {
	var out incident.MarkOutcome
	err := s.update(WithUpdateID(ctx, "mark-"+key), id, wfapi.UpdateMarkMessage, req, &out)
	return out, err
}

// AwaitWarRoom waits until incident id's war room is open and returns it.
// An error from the workflow itself (*temporal.ApplicationError) means the
// war room could not be opened; any other means Temporal could not be asked
// yet (the incident hasn't started, or Temporal is busy).
func (s *Incidents) AwaitWarRoom(ctx context.Context, id string) (incident.WarRoom, error) {
	var room incident.WarRoom
	handle, err := s.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   wfapi.IncidentWorkflowID(id),
		UpdateName:   wfapi.UpdateWarRoomReady,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return room, err
	}
	return room, handle.Get(ctx, &room)
}

// ResolveIfOpen resolves incident id as by with summary, unless it is
// resolved already (by an earlier attempt, or by a responder). It serves
// incidentflow's own workflows (a maintenance window resolving its war
// room), so the request is an operator's: by is who it is attributed to.
func (s *Incidents) ResolveIfOpen(ctx context.Context, id, by, summary string) error {
	if inc, err := s.Get(ctx, id); err == nil && inc.IsResolved() {
		return nil
	}
	err := s.Resolve(ctx, id, wfapi.ResolveRequest{By: by, Summary: summary, Operator: true})
	var resolved *ResolvedError
	if err == nil || errors.As(err, &resolved) {
		return nil
	}
	// A refusal was already looked up (asResolved); a change not confirmed
	// yet was not.
	if errors.Is(err, ErrPending) || errors.Is(err, ErrUnavailable) {
		if inc, gerr := s.Get(ctx, id); gerr == nil && inc.IsResolved() {
			return nil
		}
	}
	return err
}

// Get returns the whole state of incident id, open or resolved.
func (s *Incidents) Get(ctx context.Context, id string) (incident.Incident, error) {
	return queryState[incident.Incident](ctx, s.Client, wfapi.IncidentWorkflowID(id), wfapi.QueryIncident,
		func(err error) error { return explain(err, id) }, "incident "+id+": reading its state")
}

// queryState asks workflowID's query for its state of type T. Temporal's
// errors go through explain; a state that can't be read is said to be so
// with what.
func queryState[T any](ctx context.Context, c client.Client, workflowID, query string, explain func(error) error, what string) (T, error) {
	var st T
	resp, err := c.QueryWorkflow(ctx, workflowID, "", query)
	if err != nil {
		return st, explain(err)
	}
	if err := resp.Get(&st); err != nil {
		return st, fmt.Errorf("%s: %w", what, err)
	}
	return st, nil
}

// ByChannel returns the ID of the open incident whose war room is channelID,
// from the search attribute IncidentChannel.
func (s *Incidents) ByChannel(ctx context.Context, channelID string) (string, error) {
	if !incident.IsPlainID(channelID) {
		return "", ErrNotFound
	}
	query := fmt.Sprintf("%s = '%s' AND ExecutionStatus = 'Running' AND WorkflowType = '%s'",
		wfapi.SearchChannel.GetName(), channelID, wfapi.IncidentWorkflowName)
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
	ID         string `json:"id"`
	WorkflowID string `json:"workflow_id"`
	Severity   string `json:"severity"`
	Status     string `json:"status"`
	Commander  string `json:"commander"`
	Kind       string `json:"kind"`
	// Source is how the incident began (slack, cli, alert, maintenance,
	// drill); empty for incidents declared before it was recorded.
	Source    string    `json:"source,omitempty"`
	ChannelID string    `json:"channel_id"`
	Title     string    `json:"title"`
	StartedAt time.Time `json:"started_at"`
	// ClosedAt is when the incident's workflow ended (after its
	// resolution); zero while it is open.
	ClosedAt time.Time `json:"closed_at,omitzero"`
	// Ended is how the workflow ended when it has: "completed" after a
	// resolution, or "terminated", "failed", "timedout", "canceled".
	Ended string `json:"ended,omitempty"`
	// Security is set for a security incident (wfapi.MemoSecurity), which
	// only its war room's members may see listed.
	Security bool `json:"security,omitempty"`
}

// List returns the open incidents (and maintenance windows in progress),
// newest first, from Temporal visibility.
func (s *Incidents) List(ctx context.Context) ([]Summary, error) {
	return s.ListMatching(ctx, ListFilter{})
}

// summaryOf is the listing of one incident workflow run: its search
// attributes (never encoded) and the title in its memo, which dc decodes.
func summaryOf(ex *workflowpb.WorkflowExecutionInfo, dc converter.DataConverter) Summary {
	sum := Summary{
		WorkflowID: ex.Execution.WorkflowId,
		ID:         strings.TrimPrefix(ex.Execution.WorkflowId, "incident-"),
		StartedAt:  ex.StartTime.AsTime(),
		Ended:      closedStatus(ex.Status),
	}
	if ex.CloseTime != nil {
		sum.ClosedAt = ex.CloseTime.AsTime()
	}
	fields := ex.GetSearchAttributes().GetIndexedFields()
	for name, dst := range map[string]*string{
		wfapi.SearchSeverity.GetName():  &sum.Severity,
		wfapi.SearchStatus.GetName():    &sum.Status,
		wfapi.SearchCommander.GetName(): &sum.Commander,
		wfapi.SearchKind.GetName():      &sum.Kind,
		wfapi.SearchSource.GetName():    &sum.Source,
		wfapi.SearchChannel.GetName():   &sum.ChannelID,
	} {
		if p, ok := fields[name]; ok {
			_ = converter.GetDefaultDataConverter().FromPayload(p, dst)
		}
	}
	if p, ok := ex.GetMemo().GetFields()[wfapi.MemoTitle]; ok {
		_ = orDefault(dc).FromPayload(p, &sum.Title)
	}
	if p, ok := ex.GetMemo().GetFields()[wfapi.MemoSecurity]; ok {
		_ = orDefault(dc).FromPayload(p, &sum.Security)
	}
	return sum
}

// orDefault is dc, or the SDK's default data converter when dc is nil.
func orDefault(dc converter.DataConverter) converter.DataConverter {
	if dc == nil {
		return converter.GetDefaultDataConverter()
	}
	return dc
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
				list[i].Title, list[i].Security = wfapi.ListedTitle(inc.Declaration), inc.Declaration.Security
			}
		})
	}
	wg.Wait()
}

// explain turns Temporal errors into sentences a responder can act on.
func explain(err error, id string) error {
	var notFound *serviceerror.NotFound
	var noNamespace *serviceerror.NamespaceNotFound
	switch {
	case errors.As(err, &notFound):
		if id != "" {
			return fmt.Errorf("incident %s: %w (check the ID with `incidentflow list`)", id, ErrNotFound)
		}
		return ErrNotFound
	case isUnavailable(err):
		return fmt.Errorf("%w right now (%v); try again in a minute", ErrUnavailable, err)
	case errors.As(err, &noNamespace):
		// A Temporal server that can't read its database answers as if the
		// namespace were gone; a namespace that never existed is refused at
		// start (the search-attribute check), so here it is the outage.
		return fmt.Errorf("%w right now: it says namespace %q doesn't exist, which it says when it can't read its database; try again in a minute (if it persists, run `incidentflow setup`)",
			ErrUnavailable, noNamespace.Namespace)
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

func listRequest(query string, size int32) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: size}
}
