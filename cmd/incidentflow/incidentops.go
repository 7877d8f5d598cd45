package main

import (
	"context"

	"github.com/incidentflow/incidentflow/starter"
)

// incidentOps is one CLI command's view of one incident.
type incidentOps struct {
	ctx context.Context
	*starter.Incidents
	id string
}

// result is the JSON a command prints after changing an incident: the
// incident as it is now, or the ID alone if it can't be read back.
func (op *incidentOps) result(action string) any {
	inc, err := op.Get(op.ctx, op.id)
	if err != nil {
		return map[string]string{"id": op.id, "action": action}
	}
	return map[string]any{"id": op.id, "action": action, "incident": inc}
}
