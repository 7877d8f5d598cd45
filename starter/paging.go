package starter

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Page pages the on-call of req.Service (the incident's own service when
// empty) for incident id through PagerDuty, and returns the page's dedup
// key at once: the workflow sends it beside everything else and tells the
// war room when PagerDuty takes it. The same page asked for again is not
// sent again (the outcome says Already). The door that asks gives the
// update ID (WithUpdateID, from its idempotency key): a request delivered
// twice is applied once.
func (s *Incidents) Page(ctx context.Context, id string, req wfapi.PageRequest) (wfapi.PageOutcome, error) {
	var out wfapi.PageOutcome
	err := s.update(ctx, id, wfapi.UpdatePage, req, &out)
	return out, err
}

// ErrIncidentEnded means a PagerDuty event came for an incident whose
// workflow has ended (resolved, its pages resolved with it): there is
// nothing to record it in. The PagerDuty webhook door answers it with 2xx:
// PagerDuty must not retry it.
var ErrIncidentEnded = errors.New("the incident has ended")

// RecordPageEvent tells incident id what PagerDuty said about one of its
// pages (acknowledged, resolved); the workflow records each event ID once,
// so a redelivered webhook is harmless. An event that fails its Check is
// refused before anything is sent; an incident that has ended answers
// ErrIncidentEnded, one that never existed ErrNotFound.
func (s *Incidents) RecordPageEvent(ctx context.Context, id string, ev wfapi.PageEvent) error {
	if err := ev.Check(); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), "", nil)
	}
	err := s.Client.SignalWorkflow(ctx, wfapi.IncidentWorkflowID(id), "", wfapi.SignalPageEvent, ev)
	if err == nil {
		return nil
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		if _, derr := s.Client.DescribeWorkflowExecution(ctx, wfapi.IncidentWorkflowID(id), ""); derr == nil {
			return fmt.Errorf("incident %s: %w", id, ErrIncidentEnded)
		}
	}
	return explain(err, id)
}
