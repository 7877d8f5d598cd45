package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func (w *incidentWorkflow) validateAssignRole(_ workflow.Context, req wfapi.AssignRoleRequest) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	if _, err := incident.ParseRole(string(req.Role)); err != nil {
		return err
	}
	if strings.TrimSpace(req.User) == "" {
		return errors.New("name the user who takes the role")
	}
	return nil
}

// assignRole gives a role to a user, invites them and updates the topic.
func (w *incidentWorkflow) assignRole(ctx workflow.Context, req wfapi.AssignRoleRequest) error {
	if err := w.openForChange(ctx); err != nil {
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
	if strings.TrimSpace(req.Text) == "" {
		return errors.New("an action item needs text: say what should be done")
	}
	if req.Due != "" {
		if _, err := time.Parse(time.DateOnly, req.Due); err != nil {
			return fmt.Errorf("due date %q isn't a date: use YYYY-MM-DD", req.Due)
		}
	}
	return nil
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
