package starter

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Retrospectives drives the retrospective workflows of resolved incidents:
// the "Add action items" modal and the "Mark retrospective done" button of
// the front door, and the CLI.
type Retrospectives struct {
	Client client.Client
}

// ErrNoRetrospective means the incident has no retrospective running.
var ErrNoRetrospective = errors.New("no retrospective is running for this incident")

// AddActionItems adds action items to incident incidentID's retrospective;
// each becomes a GitHub issue shortly after. Each item's Author is the Slack
// user adding it. Items with keys the retrospective already has are skipped,
// so a repeated submission is harmless when the caller sets keys (e.g. from
// the modal's view ID).
func (r *Retrospectives) AddActionItems(ctx context.Context, incidentID string, items []incident.ActionItem) error {
	by := ""
	if len(items) > 0 {
		by = items[0].Author
	}
	return r.update(ctx, incidentID, wfapi.UpdateAddRetroActionItems,
		wfapi.AddRetroActionItemsRequest{By: by, Items: items}, nil)
}

// MarkDone marks incident incidentID's retrospective done: the reminders
// stop and the follow-up of the action items begins. Marking it twice is
// harmless.
func (r *Retrospectives) MarkDone(ctx context.Context, incidentID, by string) error {
	return r.update(ctx, incidentID, wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: by}, nil)
}

// Get returns where incident incidentID's retrospective stands: the meeting,
// the postmortem, the action items and their issues.
func (r *Retrospectives) Get(ctx context.Context, incidentID string) (incident.RetroState, error) {
	return queryState[incident.RetroState](ctx, r.Client, wfapi.RetrospectiveWorkflowID(incidentID), wfapi.QueryRetrospective,
		func(err error) error { return retroExplain(err, incidentID) }, "incident "+incidentID+": reading its retrospective")
}

// update sends a named update to the retrospective (see updateWorkflow).
func (r *Retrospectives) update(ctx context.Context, incidentID, name string, arg, out any) error {
	err := updateWorkflow(ctx, r.Client, wfapi.RetrospectiveWorkflowID(incidentID), name, arg, out)
	if err != nil && !errors.Is(err, ErrPending) {
		return retroExplain(err, incidentID)
	}
	return err
}

// retroExplain turns Temporal errors into sentences a responder can act on.
func retroExplain(err error, incidentID string) error {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("incident %s: %w (it isn't resolved yet, retrospectives are disabled, or its follow-up has ended)", incidentID, ErrNoRetrospective)
	}
	return explain(err, incidentID)
}
