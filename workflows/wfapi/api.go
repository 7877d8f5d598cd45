// Package wfapi is the outside interface of incidentflow's workflows: the
// task queue, workflow type names and IDs, search attributes, and the
// names and payloads of every signal, update and query of the incident,
// retrospective and maintenance workflows. The starter package, every front
// door and the CLI speak to the workflows through it; it imports neither
// the workflows nor their activities, so a client of Temporal never links
// Slack's or GitHub's client libraries.
package wfapi

import (
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
)

// TaskQueue is the default task queue of incidentflow's workers.
const TaskQueue = "incidentflow"

// Workflow type names, as registered on the worker.
const (
	IncidentWorkflowName      = "IncidentWorkflow"
	RetrospectiveWorkflowName = "RetrospectiveWorkflow"
	MaintenanceWorkflowName   = "MaintenanceWorkflow"
)

// WorkflowTaskTimeout is the workflow task timeout of every workflow
// incidentflow starts (incidents, alert groups, maintenance runs and their
// children; a run that continues as new keeps its run's). A worker killed
// while it holds a workflow task leaves the task started until this much
// time has passed; only then does another worker take it, so it bounds the
// recovery from such a kill (Temporal's default is 10 s). A workflow task
// of these workflows takes milliseconds, a full replay of a history at its
// continue-as-new size well under a second, and the SDK extends a task
// that waits on local activities, so 4 s is never too short.
const WorkflowTaskTimeout = 4 * time.Second

// IncidentWorkflowID is the workflow ID of incident id.
func IncidentWorkflowID(id string) string { return "incident-" + id }

// MemoTitle is the memo field that holds an incident's title as lists show
// it (ListedTitle), set when its workflow starts, so that listing incidents
// needs no query to each of them (and works while no worker runs).
const MemoTitle = "title"

// MemoSecurity is the memo field that says whether an incident is a
// security incident, so that lists can show one only to its war room's
// members; incidents declared before it was recorded lack it.
const MemoSecurity = "security"

// Memo is the memo of the workflow of the incident d declares: its listed
// title and whether it is a security incident.
func Memo(d incident.Declaration) map[string]any {
	return map[string]any{MemoTitle: ListedTitle(d), MemoSecurity: d.Security}
}

// ListedTitle is the title lists, the memo and the Web UI show for the
// incident d declares: a security incident's stays in its private war room.
func ListedTitle(d incident.Declaration) string {
	if d.Security {
		return "security incident"
	}
	return incident.Truncate(d.Title, 200)
}

// RetrospectiveWorkflowID is the workflow ID of incident id's retrospective.
func RetrospectiveWorkflowID(id string) string { return "retro-" + id }

// MaintenanceWorkflowID is the workflow ID (and schedule ID) of maintenance
// window id.
func MaintenanceWorkflowID(id string) string { return "maintenance-" + id }

// Search attributes kept current on every incident workflow (all Keyword).
var (
	SearchSeverity  = temporal.NewSearchAttributeKeyKeyword("IncidentSeverity")
	SearchStatus    = temporal.NewSearchAttributeKeyKeyword("IncidentStatus")
	SearchCommander = temporal.NewSearchAttributeKeyKeyword("IncidentCommander")
	SearchKind      = temporal.NewSearchAttributeKeyKeyword("IncidentKind")
	SearchChannel   = temporal.NewSearchAttributeKeyKeyword("IncidentChannel")
)

// SearchSource tells how an incident began (incident.Source); it is set
// when the incident's workflow starts and never changes.
var SearchSource = temporal.NewSearchAttributeKeyKeyword("IncidentSource")

// SearchKeys lists the search attributes IncidentWorkflow keeps current, in
// the order it publishes them.
var SearchKeys = []temporal.SearchAttributeKeyKeyword{SearchSeverity, SearchStatus, SearchCommander, SearchKind, SearchChannel}

// SearchAttributeNames lists every search attribute of incidentflow's
// workflows (SearchKeys, SearchSource, SearchDeclaredAt and
// SearchResolvedAt), for registering them on a cluster with the types
// SearchAttributeTypes gives.
func SearchAttributeNames() []string {
	names := make([]string, 0, len(SearchKeys)+3)
	for _, k := range SearchKeys {
		names = append(names, k.GetName())
	}
	return append(names, SearchSource.GetName(), SearchDeclaredAt.GetName(), SearchResolvedAt.GetName())
}

// StartSearchAttributes are the search attributes the workflow of the
// incident d declares starts with.
func StartSearchAttributes(d incident.Declaration) temporal.SearchAttributes {
	commander := d.Commander
	if commander == "" {
		commander = d.Declarer
	}
	updates := []temporal.SearchAttributeUpdate{
		SearchSeverity.ValueSet(string(d.Severity)),
		SearchStatus.ValueSet(string(incident.Investigating)),
		SearchCommander.ValueSet(commander),
		SearchKind.ValueSet(string(d.Kind)),
	}
	if d.Source != "" {
		updates = append(updates, SearchSource.ValueSet(string(d.Source)))
	}
	if !d.DeclaredAt.IsZero() {
		updates = append(updates, SearchDeclaredAt.ValueSet(d.DeclaredAt.UTC()))
	}
	return temporal.NewSearchAttributes(updates...)
}

// IncidentSummary is the static summary of the workflow of the incident d
// declares, its line in the Web UI's workflow list: the title ("security
// incident" for a security incident, whose title stays out of the Web UI),
// after "Maintenance war room: " or "Drill: " for those kinds. The
// severity stays out, since it changes and the summary can't: the
// IncidentSeverity search attribute has it. Every start of an
// IncidentWorkflow sets it.
func IncidentSummary(d incident.Declaration) string {
	switch d.Kind {
	case incident.KindMaintenance:
		return "Maintenance war room: " + ListedTitle(d)
	case incident.KindDrill:
		return "Drill: " + ListedTitle(d)
	}
	return ListedTitle(d)
}

// RetrospectiveSummary is the static summary of the workflow of the
// retrospective of the incident d declared.
func RetrospectiveSummary(d incident.Declaration) string {
	return "Retrospective: " + ListedTitle(d)
}

// IncidentInput starts an IncidentWorkflow, or continues one as new. A
// starter sends the declaration, not the process: every run takes the
// process from the worker's configuration as it begins.
type IncidentInput struct {
	Declaration incident.Declaration `json:"declaration"`
	// Process is the process the run follows until the worker's answer is
	// in (an update delivered in the run's first workflow task is validated
	// before it): that of the workflow that continued this one as new or
	// started it as a child; starters leave it empty. In histories recorded
	// before the process came from the worker ("process-from-worker") it is
	// the starter's snapshot of its own configuration, which those runs
	// follow throughout when replayed. The Process of AlertGroupInput,
	// RetrospectiveInput and MaintenanceInput is the same.
	Process incident.Process `json:"process,omitzero"`
	// Maintenance is set on the war room of a maintenance window: each run
	// follows incident.MaintenanceProcess of the worker's process.
	Maintenance *MaintenanceRoom `json:"maintenance,omitempty"`
	// Drill is set on a drill: the scenario the workflow plays against the
	// responders, under the drill's rewrite of the worker's process.
	Drill *DrillRoom `json:"drill,omitempty"`
	// State is set when the workflow continues as new: the incident so far.
	State *incident.Incident `json:"state,omitempty"`
	// Insights is set when the workflow continues as new: the record the
	// run kept in its memo (MemoInsights), whose first times outlive the
	// timeline entries compaction drops (insights.Record.Carry).
	Insights *insights.Record `json:"insights,omitempty"`
	// HistoryLimit continues the workflow as new once a run's history has
	// this many events (default DefaultHistoryLimit); the server's own
	// suggestion does too. Tests set a low one.
	HistoryLimit int `json:"history_limit,omitempty"`
	// Retrospective asks for a retrospective of a maintenance window, which
	// gets none otherwise. Drills never get one; incidents always do when
	// the process enables retrospectives.
	Retrospective bool `json:"retrospective,omitempty"`
}

// DefaultHistoryLimit keeps each run of an incident workflow well under the
// 4,096 events at which Temporal suggests continuing as new.
const DefaultHistoryLimit = 3000

// Names of the IncidentWorkflow's updates and queries.
const (
	// UpdateWarRoomReady waits until the war room exists and returns an
	// incident.WarRoom. Declaring sends it with Update-With-Start so a repeated
	// declaration joins the same incident.
	UpdateWarRoomReady = "war-room-ready"
	// UpdatePostStatus posts a status update (PostStatusRequest).
	UpdatePostStatus = "post-update"
	// UpdateSetSeverity changes the severity (SetSeverityRequest).
	UpdateSetSeverity = "set-severity"
	// UpdateAssignRole gives a role to a user (AssignRoleRequest).
	UpdateAssignRole = "assign-role"
	// UpdateAddActionItem records an action item for the retrospective
	// (AddActionItemRequest).
	UpdateAddActionItem = "add-action-item"
	// UpdateResolve resolves the incident (ResolveRequest).
	UpdateResolve = "resolve"
	// QueryIncident returns the whole incident.Incident.
	QueryIncident = "incident"
)

// PostStatusRequest is the argument of UpdatePostStatus.
type PostStatusRequest struct {
	Author string          `json:"author"`
	Status incident.Status `json:"status"`
	Text   string          `json:"text"`
	// NextUpdateIn overrides the severity's cadence for the next update
	// when positive.
	NextUpdateIn time.Duration `json:"next_update_in,omitempty"`
	// Public, on an incident already on the status page, publishes the
	// update there too, with its own public text (PublicUpdate).
	Public *PublicUpdate `json:"public,omitempty"`
}

// SetSeverityRequest is the argument of UpdateSetSeverity.
type SetSeverityRequest struct {
	By       string            `json:"by"`
	Severity incident.Severity `json:"severity"`
	Reason   string            `json:"reason,omitempty"`
	// Operator marks a request from a client with Temporal access (the
	// CLI, incidentflow's own workflows): the permission model allows it
	// everything (incident.Actor.Operator). The Slack door never sets it.
	Operator bool `json:"operator,omitempty"`
}

// AssignRoleRequest is the argument of UpdateAssignRole.
type AssignRoleRequest struct {
	By   string        `json:"by"`
	Role incident.Role `json:"role"`
	User string        `json:"user"`
	// Operator is as in SetSeverityRequest.
	Operator bool `json:"operator,omitempty"`
}

// AddActionItemRequest is the argument of UpdateAddActionItem.
type AddActionItemRequest struct {
	By    string `json:"by"`
	Text  string `json:"text"`
	Owner string `json:"owner,omitempty"`
	Due   string `json:"due,omitempty"`
}

// ResolveRequest is the argument of UpdateResolve.
type ResolveRequest struct {
	By      string `json:"by"`
	Summary string `json:"summary"`
	// Operator is as in SetSeverityRequest.
	Operator bool `json:"operator,omitempty"`
}

// Action IDs of the buttons incidentflow posts in Slack; the value of each
// button is the incident (or maintenance window) ID. The activities render
// them and the front door handles them.
const (
	ActionPostUpdate          = "incident_post_update"
	ActionChangeSeverity      = "incident_change_severity"
	ActionAssignRole          = "incident_assign_role"
	ActionResolve             = "incident_resolve"
	ActionAddActionItems      = "retro_add_action_items"
	ActionRetroDone           = "retro_done"
	ActionMaintenanceComplete = "maintenance_complete"
	ActionMaintenancePromote  = "maintenance_promote"
)

// UpdateMarkMessage adds a war-room message to the incident's timeline,
// takes a mark back, or follows an edit or a deletion of a marked message
// (MarkMessageRequest; the result is an incident.MarkOutcome). Its
// validator refuses, with a sentence, a mark on a message outside the war
// room, on a closed incident, beyond incident.MaxMarkedMessages, and an
// edit, deletion or removal of a message that isn't marked (so the front
// door can send every war-room edit without writing history for it).
const UpdateMarkMessage = "mark-message"

// MarkMessageRequest is the argument of UpdateMarkMessage.
type MarkMessageRequest struct {
	Mark incident.MessageMark `json:"mark"`
}
