// Package slackdoor is incidentflow's Slack front door: everything that
// speaks Slack's protocols (slash commands, interactions and events over
// HTTP with signature checks, and the same over Socket Mode), renders the
// modals and the replies, and turns what people do in Slack into calls of
// the starter package's Temporal client. It never posts a war-room message
// itself; the workflows do.
package slackdoor

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// IncidentOps is what the Slack front door needs from Temporal. *Incidents
// implements it; tests use fakes.
type IncidentOps interface {
	Declare(ctx context.Context, d incident.Declaration, wait bool) (incident.WarRoom, error)
	PostStatus(ctx context.Context, id string, req wfapi.PostStatusRequest) error
	SetSeverity(ctx context.Context, id string, req wfapi.SetSeverityRequest) error
	AssignRole(ctx context.Context, id string, req wfapi.AssignRoleRequest) error
	AddActionItem(ctx context.Context, id string, req wfapi.AddActionItemRequest) error
	Resolve(ctx context.Context, id string, req wfapi.ResolveRequest) error
	Get(ctx context.Context, id string) (incident.Incident, error)
	ByChannel(ctx context.Context, channelID string) (string, error)
	List(ctx context.Context) ([]starter.Summary, error)
	MarkMessage(ctx context.Context, id, key string, req wfapi.MarkMessageRequest) (incident.MarkOutcome, error)
}

var _ IncidentOps = (*starter.Incidents)(nil)

// RetroActions is what the retrospective offers the front door once an
// incident is resolved (its workflow is closed by then): the "Add action
// items" and "Retrospective done" buttons.
type RetroActions interface {
	// AddActionItems records items on incident incidentID's retrospective.
	// Each item's Key is stable across retries of the same submission.
	AddActionItems(ctx context.Context, incidentID string, items []incident.ActionItem) error
	// MarkDone records that the retrospective meeting happened.
	MarkDone(ctx context.Context, incidentID, by string) error
}

// MaintenanceActions is what planned maintenance offers the front door: the
// buttons of a maintenance window's announcement.
type MaintenanceActions interface {
	// Complete ends maintenance window windowID early.
	Complete(ctx context.Context, windowID, by string) error
	// Promote turns maintenance window windowID into an incident.
	Promote(ctx context.Context, windowID, by string) error
}

// AlertActions is what alert triage offers the front door: the buttons of
// a "Declare incident?" prompt. *starter.Alerts implements it.
type AlertActions interface {
	// Get returns the state of alert group groupID.
	Get(ctx context.Context, groupID string) (wfapi.AlertGroupState, error)
	// Declare declares the incident of alert group groupID as d.
	Declare(ctx context.Context, groupID, by string, d incident.Declaration) (string, error)
	// Triage ignores or snoozes alert group groupID.
	Triage(ctx context.Context, groupID, by, action string) error
}

var _ AlertActions = (*starter.Alerts)(nil)

// DrillActions is what incident drills offer the front door: `/incident
// drill` starts one, `/incident hint` asks a drill room's drill for its
// next hint. *starter.Drills implements it.
type DrillActions interface {
	// Start starts the drill req asks for; with wait it returns once the
	// drill room is open. The same req.Key starts one drill.
	Start(ctx context.Context, req starter.DrillRequest, wait bool) (starter.DrillStarted, error)
	// Hint has drill id post its next hint in the drill room.
	Hint(ctx context.Context, id, by string) (wfapi.HintOutcome, error)
	// List returns the scenarios there are.
	List() []drill.Scenario
}

var _ DrillActions = (*starter.Drills)(nil)

// FrontDoorOptions configures a FrontDoor.
type FrontDoorOptions struct {
	// Incidents starts and drives incident workflows (required).
	Incidents IncidentOps
	// Process is the configured process (severities, services, announce
	// channels). When nil it is taken from Incidents if that is an
	// *Incidents, else incident.DefaultProcess.
	Process *incident.Process
	// Slack is the bot-token client for views.open, chat.postEphemeral and
	// users.info (required).
	Slack *slack.Client
	// SlackAPIURL is the Web API base URL (the slack.api_url setting) that
	// Socket Mode opens its connection through; empty means Slack's own.
	SlackAPIURL string
	// SigningSecret verifies HTTP requests (slack.signing_secret). Without
	// it the HTTP door refuses every Slack request.
	SigningSecret string
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// Retro handles the retrospective's buttons; nil answers "not supported".
	Retro RetroActions
	// Maintenance handles the maintenance buttons; nil answers "not supported".
	Maintenance MaintenanceActions
	// Alerts handles the triage prompt's buttons; nil answers "not supported".
	Alerts AlertActions
	// TemporalTimeout bounds each exchange with Temporal during a request
	// (default 2 s), so Slack always gets an answer within its 3 seconds.
	TemporalTimeout time.Duration
	// SlackTimeout bounds each Web API call made while Slack waits for the
	// answer (default 1 s).
	SlackTimeout time.Duration
	// SubmitWait is how long a modal submission waits for Temporal before
	// the modal closes and the change finishes in the background (default
	// 20 ms): Slack's answer stays fast however slow Temporal is.
	SubmitWait time.Duration
	// SubmitTimeout bounds a submission's change once it runs in the
	// background (default 10 s); a failure is then told to the user in Slack.
	SubmitTimeout time.Duration
	// HTTPClient posts to response_url; nil means a client with a 5 s timeout.
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// TimelineReaction is the emoji name whose reaction adds a war-room
	// message to the timeline (timeline.reaction; default
	// incident.DefaultTimelineReaction, pushpin).
	TimelineReaction string
	// Insights computes the figures of /incident insights; nil answers
	// that insights are not set up.
	Insights InsightsReports
	// InsightsURL is the insights page's address (insights.url) that
	// /incident insights links to; empty says where the page is instead.
	InsightsURL string
	// Drills starts drills (/incident drill) and gives their hints
	// (/incident hint); nil answers that drills aren't set up.
	Drills DrillActions
}

// FrontDoor is incidentflow's Slack front door: /incident and
// /closeincident, the declare-from-message shortcut, the modals and the
// buttons the workflows post. The same handlers serve HTTP (Handler) and
// Socket Mode (RunSocketMode).
type FrontDoor struct {
	ops         IncidentOps
	process     incident.Process
	slack       *slack.Client
	apiURL      string
	secret      string
	log         *slog.Logger
	retro       RetroActions
	maintenance MaintenanceActions
	alerts      AlertActions
	temporalTO  time.Duration
	slackTO     time.Duration
	httpClient  *http.Client
	now         func() time.Time
	events      *seenEvents
	submitWait  time.Duration
	submitTO    time.Duration
	reaction    string
	insights    InsightsReports
	insightsURL string
	drills      DrillActions
	// drillsTold holds the drill forms (by key) whose starter tells the
	// submitter when the drill room is open: one message per drill,
	// however often its form is delivered.
	drillsTold *ttlCache[struct{}]
	// warRooms caches which incident a channel is the war room of (""
	// for none), so that events from other channels cost no Temporal call.
	warRooms *ttlCache[string]
	// members caches who is in each war room (isMember).
	members *ttlCache[roomMembers]
	// people resolves the names typed for a person (/incident lead @ann).
	people *directory
	// botUser is the bot's own user ID, once auth.test told it.
	botUser atomic.Pointer[string]
	// bg tracks the work that outlives a request's answer (modals opened
	// after the acknowledgement, submissions finishing, notices).
	bg sync.WaitGroup
}

// ackBudget is how long a request may take before its answer is sent: Slack
// gives up after 3 s, and the answer still has to travel.
const ackBudget = 2500 * time.Millisecond

// NewFrontDoor returns a front door over opts.
func NewFrontDoor(opts FrontDoorOptions) *FrontDoor {
	f := &FrontDoor{
		ops:         opts.Incidents,
		slack:       opts.Slack,
		apiURL:      opts.SlackAPIURL,
		secret:      opts.SigningSecret,
		log:         opts.Logger,
		retro:       opts.Retro,
		maintenance: opts.Maintenance,
		alerts:      opts.Alerts,
		temporalTO:  opts.TemporalTimeout,
		slackTO:     opts.SlackTimeout,
		httpClient:  opts.HTTPClient,
		now:         opts.Now,
		events:      newSeenEvents(10000, time.Hour),
		submitWait:  opts.SubmitWait,
		submitTO:    opts.SubmitTimeout,
		reaction:    opts.TimelineReaction,
		insights:    opts.Insights,
		insightsURL: opts.InsightsURL,
		drills:      opts.Drills,
		drillsTold:  newTTLCache[struct{}](1000),
		warRooms:    newTTLCache[string](warRoomCacheSize),
		members:     newTTLCache[roomMembers](membersCacheSize),
	}
	switch {
	case opts.Process != nil:
		f.process = *opts.Process
	default:
		if inc, ok := opts.Incidents.(*starter.Incidents); ok && inc != nil {
			f.process = inc.Process
		} else {
			f.process = incident.DefaultProcess()
		}
	}
	if d, ok := f.drills.(*starter.Drills); ok && d == nil {
		f.drills = nil // a nil *Drills is no drills
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.temporalTO <= 0 {
		f.temporalTO = 2 * time.Second
	}
	if f.slackTO <= 0 {
		f.slackTO = time.Second
	}
	if f.submitWait <= 0 {
		f.submitWait = 20 * time.Millisecond
	}
	if f.submitTO <= 0 {
		f.submitTO = 10 * time.Second
	}
	if f.httpClient == nil {
		f.httpClient = &http.Client{Timeout: 5 * time.Second}
	}
	if f.now == nil {
		f.now = time.Now
	}
	f.people = newDirectory(f.slack, f.now, &f.bg)
	if f.reaction == "" {
		f.reaction = incident.DefaultTimelineReaction
	}
	if f.apiURL != "" && !strings.HasSuffix(f.apiURL, "/") {
		f.apiURL += "/"
	}
	return f
}

// Wait blocks until the background work of answered requests is done:
// modals being opened, submissions finishing, notices being posted. Call it
// on shutdown, after the HTTP server and Socket Mode have stopped.
func (f *FrontDoor) Wait() { f.bg.Wait() }

// detached returns a context that outlives the request ctx belongs to (its
// values kept), ending at ctx's deadline, or after d when it has none.
func detached(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(context.WithoutCancel(ctx), deadline)
	}
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}

// temporalCtx bounds one exchange with Temporal: TemporalTimeout, cut short
// to leave reserve before the request's own deadline. Updates sent with it
// return ErrPending rather than time out once the incident has accepted them.
func (f *FrontDoor) temporalCtx(ctx context.Context, reserve time.Duration) (context.Context, context.CancelFunc) {
	deadline := time.Now().Add(f.temporalTO)
	if d, ok := ctx.Deadline(); ok && d.Add(-reserve).Before(deadline) {
		deadline = d.Add(-reserve)
	}
	return context.WithDeadline(starter.AcceptedIsEnough(ctx), deadline)
}

// slackCtx bounds one Web API call made while Slack waits for our answer.
func (f *FrontDoor) slackCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, f.slackTO)
}

// announceChannel names the channel where people declare by hand when
// incidentflow can't, for the error messages.
func (f *FrontDoor) announceChannel() string {
	if len(f.process.AnnounceChannels) > 0 && f.process.AnnounceChannels[0] != "" {
		return "#" + strings.TrimPrefix(f.process.AnnounceChannels[0], "#")
	}
	return "#incidents"
}
