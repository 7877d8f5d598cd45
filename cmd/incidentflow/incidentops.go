package main

import (
	"context"
	"errors"

	"github.com/incidentflow/incidentflow/starter"
)

// incidentOps is one CLI command's view of one incident.
type incidentOps struct {
	ctx context.Context
	*starter.Incidents
	id string
	// who the command acts as; zero for a command that only reads.
	who identity
}

// result is the JSON a command prints after changing an incident: the
// incident as it is now, or the ID alone if it can't be read back.
func (op *incidentOps) result(action string) map[string]any {
	out := map[string]any{"id": op.id, "action": action}
	if inc, err := op.Get(op.ctx, op.id); err == nil {
		out["incident"] = inc
	}
	return out
}

// done finishes a command that changed the incident: its JSON result and
// its human summary, which says whom it acted as. An incident resolved
// already is explained with when and by whom.
func (op *incidentOps) done(action, human string, err error) (any, string, error) {
	if resolved := op.alreadyResolved(err); resolved != nil {
		return nil, "", resolved
	}
	if err != nil {
		return nil, "", err
	}
	return op.result(action), human + " as " + op.who.actor.String() + ".", nil
}

// alreadyResolved returns the *starter.ResolvedError in err, with who
// resolved it named as Slack shows them ("by Ava Anders"), or nil.
func (op *incidentOps) alreadyResolved(err error) *starter.ResolvedError {
	var resolved *starter.ResolvedError
	if !errors.As(err, &resolved) {
		return nil
	}
	named := *resolved
	named.By = op.who.people.nameOf(op.ctx, resolved.By)
	return &named
}
