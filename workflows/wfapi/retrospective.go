package wfapi

import (
	"github.com/incidentflow/incidentflow/incident"
)

// RetrospectiveInput starts a RetrospectiveWorkflow: the resolved
// incident. Every run takes the process (its retrospective settings) from
// the worker's configuration as it begins.
type RetrospectiveInput struct {
	Incident incident.Incident `json:"incident"`
	// Process is as IncidentInput.Process: the incident's, or the previous
	// run's.
	Process incident.Process `json:"process,omitzero"`
	// State is set when the workflow continues as new: the retrospective so
	// far.
	State *incident.RetroState `json:"state,omitempty"`
}

// Names of the RetrospectiveWorkflow's updates and queries. The front door
// sends them to workflow ID RetrospectiveWorkflowID(incident ID).
const (
	// UpdateAddRetroActionItems adds action items after the resolution
	// (AddRetroActionItemsRequest, from the "Add action items" modal); it
	// returns an AddRetroActionItemsResult once the items are accepted, and
	// their GitHub issues follow shortly.
	UpdateAddRetroActionItems = "retro-add-action-items"
	// UpdateRetroDone marks the retrospective done (RetroDoneRequest, from
	// the "Mark retrospective done" button). Marking it twice is harmless.
	UpdateRetroDone = "retro-done"
	// QueryRetrospective returns the RetroState.
	QueryRetrospective = "retrospective"
)

// MaxRetroActionItems is the most action items one AddRetroActionItems
// update may carry.
const MaxRetroActionItems = 20

// AddRetroActionItemsRequest is the argument of UpdateAddRetroActionItems.
// Each item needs Text; Owner is a Slack user ID and Due a date as
// YYYY-MM-DD, both optional. An item whose Key was already added is
// skipped, so the front door can make a repeated submission harmless by
// setting keys (e.g. from the modal's view ID); items without a key get one.
type AddRetroActionItemsRequest struct {
	By    string                `json:"by"`
	Items []incident.ActionItem `json:"items"`
}

// AddRetroActionItemsResult is the answer of UpdateAddRetroActionItems.
type AddRetroActionItemsResult struct {
	// Keys are the keys of the items added (not those skipped as repeats).
	Keys []string `json:"keys"`
}

// RetroDoneRequest is the argument of UpdateRetroDone.
type RetroDoneRequest struct {
	By string `json:"by"`
}
