package workflows_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// retroCall is one activity the retrospective ran, at test-clock time.
type retroCall struct {
	At  time.Time
	Act string
	Req any
}

// retroFakes stand in for the Slack, GitHub and calendar activities of the
// retrospective: issues are numbered from 1, live in the repository the
// request names (publicRepo when it names none) and stay open until closeAt.
type retroFakes struct {
	env *testsuite.TestWorkflowEnvironment

	mu      sync.Mutex
	calls   []retroCall
	issues  map[string]int // issue key → number
	closeAt time.Time      // when every issue counts as closed; zero: never
	// failGitHub makes every GitHub call fail for good.
	failGitHub bool
}

func newRetroFakes(env *testsuite.TestWorkflowEnvironment) *retroFakes {
	f := &retroFakes{env: env, issues: map[string]int{}}
	var (
		sl *activities.Slack
		gh *activities.GitHub
		ca *activities.Calendar
	)
	env.RegisterActivity(&activities.Slack{})
	env.RegisterActivity(&activities.GitHub{})
	env.RegisterActivity(&activities.Calendar{})
	env.OnActivity(sl.PostMessage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.PostRequest) (incident.MessageRef, error) {
			f.record("PostMessage", req)
			return incident.MessageRef{Channel: req.Channel, TS: "1.0"}, nil
		}).Maybe()
	env.OnActivity(sl.RetroPeople, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.RetroPeopleRequest) (activities.RetroPeople, error) {
			f.record("RetroPeople", req)
			var out activities.RetroPeople
			for _, u := range req.Users {
				out.People = append(out.People, incident.Person{ID: u, Name: "Name of " + u, Email: strings.ToLower(u) + "@example.com"})
			}
			out.WarRoomURL = "https://slack.example/archives/" + req.Channel
			return out, nil
		}).Maybe()
	env.OnActivity(sl.ArchiveChannel, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.ArchiveRequest) error {
			f.record("ArchiveChannel", req)
			return nil
		}).Maybe()
	env.OnActivity(gh.PublishPostmortem, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.PostmortemRequest) (activities.IssueResult, error) {
			f.record("PublishPostmortem", req)
			if err := f.githubFailure(); err != nil {
				return activities.IssueResult{}, err
			}
			return activities.IssueResult{Issue: f.issue(req.Repo, "postmortem")}, nil
		}).Maybe()
	env.OnActivity(gh.OpenActionItem, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.ActionItemIssueRequest) (activities.IssueResult, error) {
			f.record("OpenActionItem", req)
			if err := f.githubFailure(); err != nil {
				return activities.IssueResult{}, err
			}
			res := activities.IssueResult{Issue: f.issue(req.Repo, req.Key)}
			if req.Assignee == "mallory" {
				res.Warnings = []string{"GitHub can't assign mallory"}
			} else if req.Assignee != "" {
				res.Assignees = []string{req.Assignee}
			}
			return res, nil
		}).Maybe()
	env.OnActivity(gh.IssueStates, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.IssueStatesRequest) ([]activities.Issue, error) {
			f.record("IssueStates", req)
			state := "open"
			if !f.closeAt.IsZero() && !f.env.Now().Before(f.closeAt) {
				state = "closed"
			}
			var out []activities.Issue
			for _, n := range req.Numbers {
				out = append(out, activities.Issue{Number: n, State: state})
			}
			return out, nil
		}).Maybe()
	env.OnActivity(ca.BookMeeting, mock.Anything, mock.Anything).Return(
		func(_ context.Context, m activities.Meeting) (activities.Booking, error) {
			f.record("BookMeeting", m)
			return activities.Booking{Backend: "ics", UID: m.UID(), URL: "https://slack.example/files/invite.ics"}, nil
		}).Maybe()
	return f
}

func (f *retroFakes) githubFailure() error {
	if !f.failGitHub {
		return nil
	}
	return temporal.NewNonRetryableApplicationError("GitHub rejected the token (401): check github.token", activities.ErrGitHubConfig, nil)
}

// publicRepo stands for github.repo, the worker's repository.
const publicRepo = "acme/incidents"

// issue returns the issue of key in repo (publicRepo when empty), opening it
// on first use.
func (f *retroFakes) issue(repo, key string) activities.Issue {
	if repo == "" {
		repo = publicRepo
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.issues[key]
	if !ok {
		n = len(f.issues) + 1
		f.issues[key] = n
	}
	return activities.Issue{Number: n, URL: fmt.Sprintf("https://github.example/%s/issues/%d", repo, n), State: "open"}
}

// githubRepos returns the repositories the GitHub calls named, in order,
// publicRepo standing for none.
func (f *retroFakes) githubRepos() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		var repo string
		switch req := c.Req.(type) {
		case activities.PostmortemRequest:
			repo = req.Repo
		case activities.ActionItemIssueRequest:
			repo = req.Repo
		case activities.IssueStatesRequest:
			repo = req.Repo
		default:
			continue
		}
		if repo == "" {
			repo = publicRepo
		}
		out = append(out, repo)
	}
	return out
}

func (f *retroFakes) record(act string, req any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, retroCall{At: f.env.Now(), Act: act, Req: req})
}

// called returns the calls of one activity.
func (f *retroFakes) called(act string) []retroCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []retroCall
	for _, c := range f.calls {
		if c.Act == act {
			out = append(out, c)
		}
	}
	return out
}

// posts returns the war-room posts whose key starts with "retro-"+prefix.
func (f *retroFakes) posts(prefix string) []retroCall {
	var out []retroCall
	for _, c := range f.called("PostMessage") {
		if strings.HasPrefix(c.Req.(activities.PostRequest).Key, "retro-"+prefix) {
			out = append(out, c)
		}
	}
	return out
}

func postText(c retroCall) string { return c.Req.(activities.PostRequest).Text }

// retroResolvedAt is a Friday afternoon in Berlin.
var retroResolvedAt = time.Date(2025, 3, 7, 14, 40, 0, 0, mustBerlin())

func mustBerlin() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}

// retroProcess is the worker's process in the retrospective tests: it
// books retrospectives in Berlin.
func retroProcess() incident.Process {
	p := incident.DefaultProcess()
	p.Retrospective.TimeZone = "Europe/Berlin"
	p.Retrospective.Labels = []string{"retro"}
	p.Retrospective.Assignees = map[string]string{"U0BOB": "bob-gh"}
	p.Retrospective.ArchiveChannel = true
	return p
}

// retroInput is a resolved major incident with one action item recorded
// during it.
func retroInput() wfapi.RetrospectiveInput {
	declared := retroResolvedAt.Add(-2 * time.Hour)
	inc := incident.New(incident.Declaration{ID: "abc123", Title: "Checkout down", Summary: "Payments fail",
		Severity: incident.Major, Declarer: "U0ALICE", DeclaredAt: declared, Kind: incident.KindIncident})
	inc.ChannelID, inc.ChannelName = "C0WARROOM", "inc-checkout"
	inc.Kickoff = incident.MessageRef{Channel: "C0WARROOM", TS: "1.1"}
	inc.Comms = "U0CAROL"
	inc.Record(declared.Add(30*time.Minute), "U0BOB", incident.EntryUpdate, "rolled back")
	inc.ActionItems = []incident.ActionItem{{Key: "action-3", Text: "Add a canary stage", Owner: "U0BOB", Due: "2025-03-28", Author: "U0ALICE"}}
	inc.Status, inc.ResolvedAt, inc.ResolvedBy, inc.Resolution = incident.Resolved, retroResolvedAt, "U0ALICE", "Rolled back"
	return wfapi.RetrospectiveInput{Incident: inc}
}
