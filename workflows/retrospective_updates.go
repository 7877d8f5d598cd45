package workflows

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
	"go.temporal.io/sdk/workflow"
)

func (r *retrospectiveWorkflow) registerHandlers() error {
	if err := workflow.SetQueryHandler(r.ctx, wfapi.QueryRetrospective, func() (incident.RetroState, error) { return *r.st, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(r.ctx, wfapi.UpdateAddRetroActionItems, r.addItems,
		workflow.UpdateHandlerOptions{Validator: r.validateItems}); err != nil {
		return err
	}
	return workflow.SetUpdateHandler(r.ctx, wfapi.UpdateRetroDone, r.markDone)
}

// validateItems rejects, before anything is recorded, a request the
// responder must fix.
func (r *retrospectiveWorkflow) validateItems(_ workflow.Context, req wfapi.AddRetroActionItemsRequest) error {
	if r.st.Phase == incident.RetroFinished {
		if r.st.OffGitHub {
			return fmt.Errorf("the retrospective of incident %s has ended; note the action item in its war room", r.st.IncidentID)
		}
		return fmt.Errorf("the retrospective of incident %s has ended; open the issue on GitHub directly", r.st.IncidentID)
	}
	if len(req.Items) == 0 {
		return errors.New("add at least one action item")
	}
	if len(req.Items) > wfapi.MaxRetroActionItems {
		return fmt.Errorf("add at most %d action items at a time", wfapi.MaxRetroActionItems)
	}
	if err := incident.CheckName("who adds them", req.By); err != nil {
		return err
	}
	for i, it := range req.Items {
		n := i + 1
		if strings.TrimSpace(it.Text) == "" {
			return fmt.Errorf("action item %d needs a text: what should be done?", n)
		}
		item := fmt.Sprintf("action item %d", n)
		if err := cmp.Or(incident.CheckText(item, strings.TrimSpace(it.Text), incident.MaxText), incident.CheckName(item+"'s key", it.Key),
			incident.CheckName(item+"'s author", it.Author), incident.CheckName(item+"'s owner", it.Owner),
			incident.CheckName(item+"'s due date", it.Due)); err != nil {
			return err
		}
		if it.Due != "" {
			if _, err := time.Parse("2006-01-02", it.Due); err != nil {
				return fmt.Errorf("action item %d: due date %q is not a date as YYYY-MM-DD", n, it.Due)
			}
		}
		if it.Owner != "" && !incident.IsUserID(it.Owner) {
			return fmt.Errorf("action item %d: owner %q is not a Slack user ID (U…)", n, it.Owner)
		}
	}
	if have, adding := len(r.st.Items)+len(r.st.Pending), r.newItems(req.Items); have+adding > incident.MaxRetroItems {
		return fmt.Errorf("the retrospective of incident %s follows at most %d action items and has %d: add at most %d more, or combine some",
			r.st.IncidentID, incident.MaxRetroItems, have, max(incident.MaxRetroItems-have, 0))
	}
	return nil
}

// knownKeys are the keys of the items the retrospective follows or has
// queued.
func (r *retrospectiveWorkflow) knownKeys() map[string]bool {
	known := map[string]bool{}
	for _, it := range r.st.Items {
		known[it.Key] = true
	}
	for _, it := range r.st.Pending {
		known[it.Key] = true
	}
	return known
}

// newItems counts the items addItems would add: those without a key, and
// the first with each key not known yet (a repeated submission adds
// nothing).
func (r *retrospectiveWorkflow) newItems(items []incident.ActionItem) int {
	known, n := r.knownKeys(), 0
	for _, it := range items {
		if it.Key == "" || !known[it.Key] {
			n++
			known[it.Key] = true
		}
	}
	return n
}

// addItems queues the items; the main loop opens their issues. Items whose
// key is already known are skipped.
func (r *retrospectiveWorkflow) addItems(ctx workflow.Context, req wfapi.AddRetroActionItemsRequest) (wfapi.AddRetroActionItemsResult, error) {
	known := r.knownKeys()
	var res wfapi.AddRetroActionItemsResult
	for _, it := range req.Items {
		if it.Key != "" && known[it.Key] {
			continue
		}
		for n := len(known) + 1; it.Key == "" || known[it.Key]; n++ {
			it.Key = fmt.Sprintf("retro-%d", n)
		}
		known[it.Key] = true
		it.Text = strings.TrimSpace(it.Text)
		it.At = workflow.Now(ctx)
		if it.Author == "" {
			it.Author = req.By
		}
		r.st.Pending = append(r.st.Pending, it)
		res.Keys = append(res.Keys, it.Key)
	}
	return res, nil
}

// markDone marks the retrospective done; marking it again changes nothing.
func (r *retrospectiveWorkflow) markDone(ctx workflow.Context, req wfapi.RetroDoneRequest) error {
	if !r.st.Done {
		r.st.Done, r.st.DoneBy, r.st.DoneAt = true, req.By, workflow.Now(ctx)
	}
	return nil
}

// openPending opens the issues of the items the updates queued and lists
// them in the war room.
func (r *retrospectiveWorkflow) openPending() {
	pending := r.st.Pending
	r.st.Pending = nil
	start := len(r.st.Items)
	idx := make([]int, 0, len(pending))
	for i, it := range pending {
		r.st.Items = append(r.st.Items, incident.RetroActionItem{ActionItem: it})
		idx = append(idx, start+i)
	}
	r.openIssues(idx, true)
	r.post("List the action items added", fmt.Sprintf("items-%d", start), incident.RetroItemsAddedText(r.st.Items[start:]), addItemsButton(r.st.IncidentID))
	r.publish()
}
