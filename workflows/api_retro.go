package workflows

import "github.com/incidentflow/incidentflow/incident"

// RetrospectiveInput starts a RetrospectiveWorkflow: the resolved incident
// and the process it ran under.
type RetrospectiveInput struct {
	Incident incident.Incident `json:"incident"`
	Process  incident.Process  `json:"process"`
}
