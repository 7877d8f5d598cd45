package worker

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Activities are the activity structs a worker registers, one per outside
// system.
type Activities struct {
	Slack    *activities.Slack
	GitHub   *activities.GitHub
	Calendar *activities.Calendar
	// Incidents reaches the incident workflows other workflows drive (the
	// war room a maintenance window runs), through Temporal.
	Incidents *activities.Incidents
	// Process hands every workflow run the incident process of this
	// worker's configuration as it begins.
	Process *activities.Process
	// PagerDuty pages the on-call and says who is on call.
	PagerDuty *activities.PagerDuty
	// StatusPage keeps the public status page (Statuspage) current.
	StatusPage *activities.StatusPage
	// Insights computes the insights digest from Temporal's visibility.
	Insights *activities.Insights
	// Debriefs keep drill debriefs (GitHub issues, or Markdown files).
	Debriefs *activities.Debriefs
}

// slackCallTimeout bounds one Slack Web API call, well within the Slack
// activities' heartbeat timeout.
const slackCallTimeout = 20 * time.Second

// NewSlack returns the Slack activities for the workspace cfg names.
func NewSlack(cfg *config.Config, opts activities.SlackOptions) *activities.Slack {
	clientOpts := []slack.Option{slack.OptionHTTPClient(&http.Client{Timeout: slackCallTimeout})}
	if cfg.Slack.APIURL != "" {
		clientOpts = append(clientOpts, slack.OptionAPIURL(cfg.Slack.APIURL))
	}
	return activities.NewSlack(slack.New(cfg.Slack.BotToken, clientOpts...), opts)
}

// NewActivities builds the Slack, GitHub and calendar activities from cfg,
// and the process activity that hands the workflows cfg's process.
// GitHub may be unconfigured: its activities then fail with a message naming
// github.token and github.repo, and the retrospective says so in the war
// room.
func NewActivities(cfg *config.Config, c client.Client, logger *slog.Logger) (*Activities, error) {
	if cfg.Slack.BotToken == "" {
		return nil, fmt.Errorf("slack.bot_token is empty: set INCIDENTFLOW_SLACK_BOT_TOKEN (or run `incidentflow dev`, which plays Slack itself)")
	}
	slackActs := NewSlack(cfg, activities.SlackOptions{})

	var gh *activities.GitHub
	if cfg.GitHub.Token == "" || cfg.GitHub.Repo == "" && cfg.GitHub.SecurityRepo == "" {
		logger.Warn("GitHub is not configured: postmortems and action items will not become issues (set github.token and github.repo, and github.security_repo for security incidents)")
		gh = activities.NewGitHub(nil, cfg.GitHub.Repo)
	} else {
		client, err := activities.NewGitHubClient(cfg.GitHub.Token, cfg.GitHub.BaseURL, nil)
		if err != nil {
			return nil, err
		}
		gh = activities.NewGitHub(client, cfg.GitHub.Repo)
	}

	cal := cfg.Retrospective.Calendar
	backend, err := activities.NewCalendarBackend(activities.CalendarOptions{
		Backend:        cal.Backend,
		OrganizerEmail: cal.OrganizerEmail,
		CalDAVURL:      cal.CalDAVURL,
		Username:       cal.Username,
		Password:       cal.Password,
	}, slackActs)
	if err != nil {
		return nil, err
	}
	insightsActs, err := NewInsights(cfg, c)
	if err != nil {
		return nil, err
	}
	return &Activities{
		Insights:   insightsActs,
		Slack:      slackActs,
		GitHub:     gh,
		Calendar:   activities.NewCalendar(backend),
		Incidents:  &activities.Incidents{Workflows: &starter.Incidents{Client: c}},
		Process:    &activities.Process{Current: cfg.Process()},
		PagerDuty:  NewPagerDuty(cfg),
		StatusPage: NewStatusPage(cfg),
		Debriefs:   &activities.Debriefs{GitHub: gh, Dir: cfg.Drills.DebriefDir},
	}, nil
}

// Register registers every incidentflow workflow, under the names in
// workflows/api.go, and the activities a.
func Register(r sdkworker.Registry, a *Activities) {
	r.RegisterWorkflowWithOptions(workflows.IncidentWorkflow, workflow.RegisterOptions{Name: wfapi.IncidentWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.RetrospectiveWorkflow, workflow.RegisterOptions{Name: wfapi.RetrospectiveWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.MaintenanceWorkflow, workflow.RegisterOptions{Name: wfapi.MaintenanceWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.AlertGroupWorkflow, workflow.RegisterOptions{Name: wfapi.AlertGroupWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.InsightsDigestWorkflow, workflow.RegisterOptions{Name: wfapi.InsightsDigestWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.DrillLaunchWorkflow, workflow.RegisterOptions{Name: wfapi.DrillLaunchWorkflowName})
	r.RegisterActivity(a.Slack)
	r.RegisterActivity(a.GitHub)
	r.RegisterActivity(a.Calendar)
	r.RegisterActivity(a.Incidents)
	r.RegisterActivity(a.Process)
	if a.PagerDuty != nil {
		r.RegisterActivity(a.PagerDuty)
	}
	if a.StatusPage != nil {
		r.RegisterActivity(a.StatusPage)
	}
	if a.Insights != nil {
		r.RegisterActivity(a.Insights)
	}
	if a.Debriefs != nil {
		r.RegisterActivity(a.Debriefs)
	}
}
