package activities_test

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// SlackSuite runs the Slack activities against the Slack emulator, with its
// rate limits on.
type SlackSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	emu   *slackemu.Server
	slack *activities.Slack
	env   *testsuite.TestActivityEnvironment
}

func TestSlackSuite(t *testing.T) { suite.Run(t, new(SlackSuite)) }

func (s *SlackSuite) SetupTest() {
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	s.emu = slackemu.NewTestServer(s.T(), slackemu.Options{})
	s.slack = activities.NewSlack(slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(s.emu.URL()+"/api/")),
		activities.SlackOptions{})
	s.env = s.NewTestActivityEnvironment()
	s.env.RegisterActivity(s.slack)
}

// run runs one activity and decodes its result into out (may be nil).
func (s *SlackSuite) run(activity, req, out any) error {
	val, err := s.env.ExecuteActivity(activity, req)
	if err == nil && out != nil {
		s.Require().NoError(val.Get(out))
	}
	return err
}

// calls returns the calls of method the emulator answered.
func (s *SlackSuite) calls(method string) []slackemu.Call {
	var out []slackemu.Call
	for _, c := range s.emu.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (s *SlackSuite) create(names ...string) (activities.Channel, error) {
	var ch activities.Channel
	err := s.run(s.slack.CreateChannel, activities.CreateChannelRequest{IncidentID: "abc123", Names: names}, &ch)
	return ch, err
}

// setPurpose sets the purpose of incident abc123's war room, as the
// workflow does beside the kickoff post.
func (s *SlackSuite) setPurpose(ch activities.Channel) {
	s.Require().NoError(s.run(s.slack.SetPurpose, activities.PurposeRequest{
		Channel: ch.ID, IncidentID: "abc123", Purpose: "Payments fail",
	}, nil))
}

func (s *SlackSuite) TestATooLongNameIsNeverSent() {
	_, err := s.create(strings.Repeat("a", 81))
	s.ErrorContains(err, "is not a valid Slack name: fix the channel_name template")
	s.Empty(s.calls("conversations.create"))

	d := incident.Declaration{ID: "abc123", Title: strings.Repeat("very long title ", 10), DeclaredAt: time.Now()}
	name := incident.ChannelName(incident.DefaultChannelTemplate, d, time.UTC, "-2")
	ch, err := s.create(name)
	s.Require().NoError(err)
	s.LessOrEqual(len(ch.Name), 80)
	s.True(strings.HasSuffix(ch.Name, "-2"))
}

func (s *SlackSuite) TestATakenNameGetsASuffix() {
	_, err := s.emu.CreateChannel("inc-checkout", false, slackemu.UserAlice)
	s.Require().NoError(err)
	ch, err := s.create("inc-checkout", "inc-checkout-2")
	s.Require().NoError(err)
	s.Equal("inc-checkout-2", ch.Name)
	s.Len(s.calls("conversations.create"), 1, "created once, under the incident's provisional name")
	s.Len(s.calls("conversations.rename"), 2, "renamed to the first free name")
	s.Empty(s.calls("conversations.setPurpose"), "creating the channel is one call: the purpose is set separately")
	s.setPurpose(ch)
	got, _ := s.emu.Channel(ch.ID)
	s.Equal("Payments fail · incident abc123", got.Purpose)
}

func (s *SlackSuite) TestARetriedCreateFindsItsOwnChannel() {
	first, err := s.create("inc-checkout", "inc-checkout-2")
	s.Require().NoError(err)
	s.setPurpose(first)
	again, err := s.create("inc-checkout", "inc-checkout-2")
	s.Require().NoError(err)
	s.Equal(first, again)
	n := 0
	for _, ch := range s.emu.Channels() {
		if strings.HasPrefix(ch.Name, "inc-checkout") {
			n++
		}
	}
	s.Equal(1, n, "one war room")
	s.Empty(s.liveChannels(activities.ProvisionalPrefix), "the channel created for nothing is archived")
}

func (s *SlackSuite) TestATooLongTopicIsNeverSent() {
	ch, err := s.create("inc-topic")
	s.Require().NoError(err)
	s.Require().NoError(s.run(s.slack.SetTopic, activities.TopicRequest{Channel: ch.ID, Topic: strings.Repeat("é", 300)}, nil))
	got, _ := s.emu.Channel(ch.ID)
	s.LessOrEqual(len(got.Topic), incident.MaxTopic)
	for _, c := range s.calls("conversations.setTopic") {
		s.Empty(c.Error)
	}
}

func (s *SlackSuite) TestA429RetriesAfterRetryAfter() {
	s.emu.FailNextHTTP("conversations.setTopic", 429, 1)
	err := s.run(s.slack.SetTopic, activities.TopicRequest{Channel: slackemu.GeneralChannelID, Topic: "x"}, nil)
	var appErr *temporal.ApplicationError
	s.Require().True(errors.As(err, &appErr), "%v", err)
	s.Equal(activities.ErrSlackRateLimited, appErr.Type())
	s.Equal(time.Second, appErr.NextRetryDelay())
	s.False(appErr.NonRetryable())
}

func (s *SlackSuite) TestPermanentErrorsStopRetryingAndSayWhatToDo() {
	s.emu.FailNext("conversations.setTopic", "channel_not_found", 1)
	err := s.run(s.slack.SetTopic, activities.TopicRequest{Channel: "C0GONE", Topic: "x"}, nil)
	var appErr *temporal.ApplicationError
	s.Require().True(errors.As(err, &appErr), "%v", err)
	s.True(appErr.NonRetryable())
	s.Equal(activities.ErrSlackRejected, appErr.Type())
	s.Contains(appErr.Message(), "invite @incidentflow")

	s.emu.FailNext("conversations.setTopic", "internal_error", 1)
	err = s.run(s.slack.SetTopic, activities.TopicRequest{Channel: slackemu.GeneralChannelID, Topic: "x"}, nil)
	s.Require().True(errors.As(err, &appErr), "%v", err)
	s.False(appErr.NonRetryable(), "Slack's internal errors are retried")
}

func (s *SlackSuite) TestInviteResolvesEmailsAndReportsStrangers() {
	ch, err := s.create("inc-invite")
	s.Require().NoError(err)
	var res activities.InviteResult
	s.Require().NoError(s.run(s.slack.Invite, activities.InviteRequest{Channel: ch.ID, Users: []string{
		slackemu.UserAlice, "bob@example.com", "nobody@example.com", slackemu.UserAlice, slackemu.BotUserID,
	}}, &res))
	s.Equal([]string{slackemu.UserAlice, slackemu.UserBob}, res.Invited)
	s.Equal([]string{"nobody@example.com"}, res.NotFound)
	got, _ := s.emu.Channel(ch.ID)
	s.ElementsMatch([]string{slackemu.BotUserID, slackemu.UserAlice, slackemu.UserBob}, got.Members)

	s.Require().NoError(s.run(s.slack.Invite, activities.InviteRequest{Channel: ch.ID, Users: []string{slackemu.UserAlice}}, &res))
	s.Equal([]string{slackemu.UserAlice}, res.Invited, "already a member counts as invited")
}

func (s *SlackSuite) TestBookmarksAreAddedOnce() {
	ch, err := s.create("inc-marks")
	s.Require().NoError(err)
	req := activities.BookmarksRequest{Channel: ch.ID, Bookmarks: []activities.Bookmark{
		{Title: "Process", Link: "https://docs.example.com/process"}, {Title: "Runbook", Link: "https://runbooks.example.com/x"},
	}}
	s.emu.FailNext("bookmarks.add", "internal_error", 1) // one of the first attempt's adds fails
	s.runRetried(bookmarksRetried, req, nil)
	got, _ := s.emu.Channel(ch.ID)
	s.Len(got.Bookmarks, 2, "the retry adds only the bookmark the first attempt missed")
	s.Equal(1, s.emu.CallCount("bookmarks.list"), "only the retry lists the bookmarks")
}

func (s *SlackSuite) TestPostsByChannelNameWithButtonsAndMetadata() {
	var ref incident.MessageRef
	s.Require().NoError(s.run(s.slack.PostMessage, activities.PostRequest{
		Channel: "incidents", IncidentID: "abc123", Key: "announce", Text: strings.Repeat("x", 5000),
		Buttons: []activities.Button{{ActionID: "incident_resolve", Text: "Resolve", Value: "abc123", Style: "danger"}},
	}, &ref))
	s.Equal(slackemu.IncidentsChannelID, ref.Channel)
	msgs := s.emu.Messages(slackemu.IncidentsChannelID)
	s.Require().Len(msgs, 1)
	s.Equal(activities.PostEventType, msgs[0].Metadata.EventType)
	s.Equal(map[string]any{"incident_id": "abc123", "key": "announce"}, msgs[0].Metadata.EventPayload)
	s.Contains(string(msgs[0].Blocks), `"action_id":"incident_resolve"`)
	s.Equal(strings.Repeat("x", 5000), msgs[0].Text, "the fallback text is whole: Slack keeps 40,000 characters of it")
}

func (s *SlackSuite) TestNotifyFallsBackToADirectMessage() {
	s.Require().NoError(s.run(s.slack.Notify, activities.NotifyRequest{
		User: slackemu.UserBob, Channel: slackemu.GeneralChannelID, IncidentID: "abc123", Key: "ack", Text: "declared",
	}, nil))
	s.Len(s.emu.Ephemerals(slackemu.GeneralChannelID, slackemu.UserBob), 1)

	s.Require().NoError(s.run(s.slack.Notify, activities.NotifyRequest{
		User: slackemu.UserBob, IncidentID: "abc123", Key: "dm", Text: "escalated",
	}, nil))
	var dms int
	for _, ch := range s.emu.Channels() {
		if ch.IsIM && ch.User == slackemu.UserBob {
			dms += len(s.emu.Messages(ch.ID))
		}
	}
	s.Equal(1, dms)
}

func (s *SlackSuite) TestTheLimiterKeepsABurstUnderTheRateLimit() {
	emu := slackemu.NewTestServer(s.T(), slackemu.Options{RateWindow: time.Second})
	acts := activities.NewSlack(slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(emu.URL()+"/api/")),
		activities.SlackOptions{RateWindow: time.Second})
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	start := time.Now()
	for range 30 {
		_, err := env.ExecuteActivity(acts.SetTopic, activities.TopicRequest{Channel: slackemu.GeneralChannelID, Topic: "x"})
		s.Require().NoError(err)
	}
	s.Greater(time.Since(start), time.Second, "30 Tier 2 calls take more than one window")
	for _, c := range emu.Calls() {
		s.NotEqual(429, c.Status)
	}
}

// retryOptions retry an activity at once, a few times.
var retryOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Millisecond, MaximumAttempts: 3},
}

// postRetried is a workflow that posts a message, retrying the activity.
func postRetried(ctx workflow.Context, req activities.PostRequest) (incident.MessageRef, error) {
	var a *activities.Slack
	var ref incident.MessageRef
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, retryOptions), a.PostMessage, req).Get(ctx, &ref)
	return ref, err
}

// bookmarksRetried is a workflow that bookmarks links, retrying the
// activity.
func bookmarksRetried(ctx workflow.Context, req activities.BookmarksRequest) error {
	var a *activities.Slack
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, retryOptions), a.AddBookmarks, req).Get(ctx, nil)
}

// createRetried is a workflow that creates a channel, retrying the activity.
func createRetried(ctx workflow.Context, req activities.CreateChannelRequest) (activities.Channel, error) {
	var a *activities.Slack
	var ch activities.Channel
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, retryOptions), a.CreateChannel, req).Get(ctx, &ch)
	return ch, err
}

// runRetried runs a retrying workflow with the suite's activities and
// decodes its result into out.
func (s *SlackSuite) runRetried(wf, req, out any) {
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(s.slack)
	env.RegisterWorkflow(wf)
	env.ExecuteWorkflow(wf, req)
	s.Require().NoError(env.GetWorkflowError())
	s.Require().NoError(env.GetWorkflowResult(out))
}

func (s *SlackSuite) TestARetriedPostIsPostedOnce() {
	s.emu.FailNext("pins.add", "internal_error", 1) // fails the first attempt after it posted
	var ref incident.MessageRef
	s.runRetried(postRetried, activities.PostRequest{
		Channel: slackemu.IncidentsChannelID, IncidentID: "abc123", Key: "kickoff", Text: "kickoff", Pin: true,
	}, &ref)
	msgs := s.emu.Messages(slackemu.IncidentsChannelID)
	s.Require().Len(msgs, 1, "the retry found the first attempt's message")
	s.Equal(ref.TS, msgs[0].TS)
	s.True(msgs[0].Pinned)
	s.Len(s.calls("conversations.history"), 1, "only the retry looks")
}

func (s *SlackSuite) TestACreateRetriedWithHeartbeatDetailsReturnsItsChannel() {
	first, err := s.create("inc-beat")
	s.Require().NoError(err)
	s.env.SetHeartbeatDetails(first) // what the earlier attempt recorded right after creating
	again, err := s.create("inc-beat", "inc-beat-2")
	s.Require().NoError(err)
	s.Equal(first, again)
	s.Len(s.calls("conversations.create"), 1, "the retry creates nothing")
	s.Empty(s.calls("conversations.setPurpose"))
}

func (s *SlackSuite) TestANameTakenByAnotherIncidentsRoomIsNotMine() {
	other, err := s.emu.CreateChannel("inc-other", false, slackemu.BotUserID)
	s.Require().NoError(err)
	s.Require().NoError(s.run(s.slack.SetPurpose, activities.PurposeRequest{
		Channel: other.ID, IncidentID: "xyz789", Purpose: "Payments fail",
	}, nil))
	ch, err := s.create("inc-other", "inc-other-2")
	s.Require().NoError(err)
	s.Equal("inc-other-2", ch.Name)
}

func (s *SlackSuite) TestASetPurposeFitsTheMarkerInSlacksLimit() {
	ch, err := s.create("inc-long-purpose")
	s.Require().NoError(err)
	s.Require().NoError(s.run(s.slack.SetPurpose, activities.PurposeRequest{
		Channel: ch.ID, IncidentID: "abc123", Purpose: strings.Repeat("é", 300),
	}, nil))
	got, _ := s.emu.Channel(ch.ID)
	s.True(strings.HasSuffix(got.Purpose, " · incident abc123"))
	s.LessOrEqual(len(got.Purpose), incident.MaxTopic)
}

// A request with a purpose comes from a workflow started before the
// purpose moved out of CreateChannel: the activity still sets it.
func (s *SlackSuite) TestACreateRetriedAfterItsPurposeFailedKeepsTheChannel() {
	s.emu.FailNext("conversations.setPurpose", "internal_error", 1) // fails the first attempt after it created
	var ch activities.Channel
	s.runRetried(createRetried, activities.CreateChannelRequest{
		IncidentID: "abc123", Names: []string{"inc-retry", "inc-retry-2"}, Purpose: "Payments fail",
	}, &ch)
	s.Equal("inc-retry", ch.Name)
	s.Len(s.calls("conversations.create"), 1)
	got, _ := s.emu.Channel(ch.ID)
	s.Equal("Payments fail · incident abc123", got.Purpose)
}
