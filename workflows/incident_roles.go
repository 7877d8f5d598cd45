package workflows

import (
	"cmp"
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func (w *incidentWorkflow) validateAssignRole(_ workflow.Context, req wfapi.AssignRoleRequest) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	return req.Check()
}

// assignRole gives a role to a user, invites them and updates the topic.
func (w *incidentWorkflow) assignRole(ctx workflow.Context, req wfapi.AssignRoleRequest) error {
	if err := w.openForChange(ctx); err != nil {
		return err
	}
	if err := w.permit(ctx, incident.ActionAssignRole, req.By, req.Operator); err != nil {
		return err
	}
	role, err := incident.ParseRole(string(req.Role))
	if err != nil {
		return err
	}
	if role == incident.Commander {
		w.inc.Commander = req.User
	} else {
		w.inc.Comms = req.User
	}
	key := w.record(ctx, req.By, incident.EntryRole, fmt.Sprintf("%s is now %s", req.User, role))

	b := w.newBatch()
	b.add("invite the new "+string(role), w.invite(ctx, "Invite the new "+string(role), []string{req.User}), nil)
	b.add("update the topic", w.setTopic(ctx), nil)
	b.add("announce the new "+string(role), w.post(ctx, "Announce the new "+string(role), activities.PostRequest{
		Channel: w.inc.ChannelID, Key: key, Text: incident.RoleChangeText(role, req.User, req.By),
	}), nil)
	b.wait(ctx)
	w.publish(ctx)
	return nil
}

func (w *incidentWorkflow) validateAddActionItem(_ workflow.Context, req wfapi.AddActionItemRequest) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	return cmp.Or(req.Check(), w.inc.CheckRoomForActionItem())
}

// addActionItem records an action item for the retrospective.
func (w *incidentWorkflow) addActionItem(ctx workflow.Context, req wfapi.AddActionItemRequest) error {
	if err := w.openForChange(ctx); err != nil {
		return err
	}
	key := w.record(ctx, req.By, incident.EntryAction, "action item: "+req.Text)
	item := incident.ActionItem{Key: key, Text: req.Text, Owner: req.Owner, Due: req.Due, At: workflow.Now(ctx), Author: req.By}
	w.inc.ActionItems = append(w.inc.ActionItems, item)
	b := w.newBatch()
	b.add("acknowledge the action item", w.post(ctx, fmt.Sprintf("Record action item %d", len(w.inc.ActionItems)), activities.PostRequest{
		Channel: w.inc.ChannelID, Key: key, Text: incident.ActionItemText(item),
	}), nil)
	b.wait(ctx)
	w.publish(ctx)
	return nil
}
