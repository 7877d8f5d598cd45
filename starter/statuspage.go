package starter

import (
	"context"

	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// PublishStatusPage puts incident id on the public status page: the first
// call creates its public incident, later ones post updates to it. The
// request is checked before it is sent (PublishStatusPageRequest.Check);
// the incident decides who may (the Publish rule) and refuses a security
// incident's post its commander didn't type. The post itself goes out in
// the background: the outcome says it is queued, and the incident's
// timeline records it once Statuspage has it.
func (s *Incidents) PublishStatusPage(ctx context.Context, id string, req wfapi.PublishStatusPageRequest) (wfapi.PublishStatusPageOutcome, error) {
	var out wfapi.PublishStatusPageOutcome
	err := s.update(ctx, id, wfapi.UpdatePublishStatusPage, req, &out)
	return out, err
}
