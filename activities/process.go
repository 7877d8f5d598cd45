package activities

import (
	"context"

	"github.com/incidentflow/incidentflow/incident"
)

// Process hands the workflows the incident process of the worker's own
// configuration: severities, leads, channels, documents, cadences, time
// zone. Every run of an incident, maintenance, alert-group or
// retrospective workflow asks for it as it begins (a local activity, so
// the answer is recorded in the run's history and replays as it was): the
// process follows the configuration of the worker that runs the incident,
// never that of whoever declared it, and a worker restarted with a changed
// configuration reaches incidents in flight at their next run.
type Process struct {
	// Current is the process the worker's configuration describes.
	Current incident.Process
}

// WorkerProcess returns the worker's incident process.
func (p *Process) WorkerProcess(context.Context) (incident.Process, error) {
	return p.Current, nil
}
