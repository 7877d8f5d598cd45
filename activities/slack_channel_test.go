package activities_test

import (
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// callTimeout bounds one Slack call of the impatient activities, so a
// withheld answer fails the attempt quickly and the workflow retries it.
const callTimeout = 300 * time.Millisecond

// impatient makes the suite's activities give up on a Slack call after
// callTimeout, as the worker's do after 20 s.
func (s *SlackSuite) impatient() {
	api := slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(s.emu.URL()+"/api/"),
		slack.OptionHTTPClient(&http.Client{Timeout: callTimeout}))
	s.slack = activities.NewSlack(api, activities.SlackOptions{})
}

// createRetriedFor creates incident id's war room, retrying the activity.
func (s *SlackSuite) createRetriedFor(id string, names ...string) activities.Channel {
	var ch activities.Channel
	s.runRetried(createRetried, activities.CreateChannelRequest{IncidentID: id, Names: names}, &ch)
	return ch
}

// liveChannels are the channels not archived whose names start with prefix.
func (s *SlackSuite) liveChannels(prefix string) []slackemu.Channel {
	var out []slackemu.Channel
	for _, ch := range s.emu.Channels() {
		if strings.HasPrefix(ch.Name, prefix) && !ch.IsArchived {
			out = append(out, ch)
		}
	}
	return out
}

// The attempt dies after Slack created the channel and before anyone
// heard of it: the retry finds the channel by the incident's provisional
// name and renames it; nothing is created twice.
func (s *SlackSuite) TestACrashAfterTheCreateKeepsTheChannel() {
	s.impatient()
	s.emu.AfterApplied("conversations.create", 1, slackemu.StallAnswer, func() {})
	ch := s.createRetriedFor("abc123", "inc-crash", "inc-crash-2")
	s.Equal("inc-crash", ch.Name)
	s.Len(s.calls("conversations.create"), 1, "the retry creates nothing")
	s.Len(s.liveChannels("inc-crash"), 1)
	s.Empty(s.liveChannels(activities.ProvisionalPrefix))
	got, _ := s.emu.Channel(ch.ID)
	s.Equal("inc-crash", got.Name)
	s.Equal(slackemu.BotUserID, got.Creator)
}

// The attempt dies after Slack renamed the channel: the retry finds it and
// returns it under its name.
func (s *SlackSuite) TestACrashAfterTheRenameKeepsTheName() {
	s.impatient()
	s.emu.AfterApplied("conversations.rename", 1, slackemu.StallAnswer, func() {})
	ch := s.createRetriedFor("abc123", "inc-renamed", "inc-renamed-2")
	s.Equal("inc-renamed", ch.Name)
	s.Len(s.calls("conversations.create"), 1)
	s.Len(s.liveChannels("inc-renamed"), 1)
	s.Empty(s.liveChannels(activities.ProvisionalPrefix))
}

// Incident abc123's attempt dies after its create; meanwhile incident
// xyz789, declared the same minute with the same title, creates its war
// room under the same wanted name. That channel is brand new, made by the
// same bot, with no marker and no one in it yet: exactly what a crashed
// create would leave. It is never claimed: abc123 keeps its own channel
// and takes the next name.
func (s *SlackSuite) TestAConcurrentIncidentsNewChannelIsNotClaimed() {
	s.impatient()
	other := activities.NewSlack(slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(s.emu.URL()+"/api/")), activities.SlackOptions{})
	var theirs activities.Channel
	s.emu.AfterApplied("conversations.create", 1, slackemu.StallAnswer, func() {
		env := s.NewTestActivityEnvironment()
		env.RegisterActivity(other)
		val, err := env.ExecuteActivity(other.CreateChannel, activities.CreateChannelRequest{
			IncidentID: "xyz789", Names: []string{"inc-same", "inc-same-2"}})
		s.Require().NoError(err)
		s.Require().NoError(val.Get(&theirs))
	})
	mine := s.createRetriedFor("abc123", "inc-same", "inc-same-2")
	s.Equal("inc-same", theirs.Name, "the other incident got the name first")
	s.Equal("inc-same-2", mine.Name, "ours took the next name")
	s.NotEqual(theirs.ID, mine.ID)
	got, _ := s.emu.Channel(theirs.ID)
	s.Equal("inc-same", got.Name)
	s.False(got.IsArchived)
	s.Len(s.calls("conversations.create"), 2, "one channel each")
	s.Len(s.liveChannels("inc-same"), 2)
	s.Empty(s.liveChannels(activities.ProvisionalPrefix))
}

// A retry whose earlier attempt never reached Slack finds a brand-new
// channel of the bot's under its wanted name (another incident's, or one
// left by anything else) and leaves it alone.
func (s *SlackSuite) TestARetryLeavesABrandNewBotChannelAlone() {
	taken, err := s.emu.CreateChannel("inc-fresh", false, slackemu.BotUserID)
	s.Require().NoError(err)
	s.emu.FailNextHTTP("conversations.create", http.StatusInternalServerError, 1) // the first attempt changes nothing
	ch := s.createRetriedFor("abc123", "inc-fresh", "inc-fresh-2")
	s.Equal("inc-fresh-2", ch.Name)
	got, _ := s.emu.Channel(taken.ID)
	s.Equal("inc-fresh", got.Name)
	s.False(got.IsArchived)
}

// A name held by an old channel the bot made for something else, with no
// marker, is skipped.
func (s *SlackSuite) TestAnOldUnrelatedChannelGetsTheNextName() {
	_, err := s.emu.CreateChannel("inc-old", false, slackemu.BotUserID, slackemu.UserBob)
	s.Require().NoError(err)
	ch, err := s.create("inc-old", "inc-old-2")
	s.Require().NoError(err)
	s.Equal("inc-old-2", ch.Name)
}

// Two incidents creating war rooms for the same name at once get one
// channel each, under different names.
func (s *SlackSuite) TestTwoIncidentsAtOnceGetOneChannelEach() {
	results := make(chan activities.Channel, 2)
	for _, id := range []string{"first1", "second2"} {
		go func() {
			acts := activities.NewSlack(slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(s.emu.URL()+"/api/")), activities.SlackOptions{})
			env := s.NewTestActivityEnvironment()
			env.RegisterActivity(acts)
			val, err := env.ExecuteActivity(acts.CreateChannel, activities.CreateChannelRequest{IncidentID: id, Names: []string{"inc-twin", "inc-twin-2"}})
			var ch activities.Channel
			if err == nil {
				err = val.Get(&ch)
			}
			if err != nil {
				ch.Name = err.Error()
			}
			results <- ch
		}()
	}
	a, b := <-results, <-results
	s.ElementsMatch([]string{"inc-twin", "inc-twin-2"}, []string{a.Name, b.Name})
	s.NotEqual(a.ID, b.ID)
	s.Len(s.liveChannels("inc-twin"), 2)
}

// Every name taken: the provisional channel is archived and the activity
// fails for good, saying what to do.
func (s *SlackSuite) TestEveryNameTakenLeavesNoChannel() {
	_, err := s.emu.CreateChannel("inc-full", false, slackemu.UserAlice)
	s.Require().NoError(err)
	_, err = s.create("inc-full")
	s.ErrorContains(err, "every war-room name tried is taken (inc-full)")
	s.Empty(s.liveChannels(activities.ProvisionalPrefix))
}

// A template whose names could be mistaken for a war room being created is
// refused before anything is sent.
func (s *SlackSuite) TestAProvisionalLookingNameIsRefused() {
	_, err := s.create(activities.ProvisionalPrefix + "abc")
	s.ErrorContains(err, "change the channel_name template")
	s.Empty(s.calls("conversations.create"))
}

// createOnce runs CreateChannel once, with a heartbeat timeout of
// staleTimeout, as the worker's activities have one.
func createOnce(ctx workflow.Context, req activities.CreateChannelRequest) (activities.Channel, error) {
	var a *activities.Slack
	var ch activities.Channel
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    staleTimeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	err := workflow.ExecuteActivity(ctx, a.CreateChannel, req).Get(ctx, &ch)
	return ch, err
}

const staleTimeout = 4 * time.Second

// An attempt Temporal gave up on, still alive, whose create reaches Slack
// only after the next attempt created the war room and renamed it away from
// the provisional name: its create succeeds, under the freed provisional
// name. Its rename meets the war room, renamed from the same provisional
// name, under the first wanted name: it archives its own channel and
// returns the war room.
func (s *SlackSuite) TestAStaleAttemptsLateCreateLeavesOneWarRoom() {
	first := s.createRetriedFor("stale1", "inc-stale", "inc-stale-2")
	s.emu.HangNext("conversations.create", staleTimeout/2+500*time.Millisecond, 1)
	var late activities.Channel
	s.runRetried(createOnce, activities.CreateChannelRequest{IncidentID: "stale1", Names: []string{"inc-stale", "inc-stale-2"}}, &late)
	s.Equal(first, late, "the late attempt returns the war room the retry made")
	s.Len(s.liveChannels("inc-stale"), 1)
	s.Empty(s.liveChannels(activities.ProvisionalPrefix), "the late attempt's channel is archived")
	s.Len(s.calls("conversations.create"), 2)
}

// nameRetried is a workflow that names a war room, retrying the activity.
func nameRetried(ctx workflow.Context, req activities.NameChannelRequest) (activities.Channel, error) {
	var a *activities.Slack
	var ch activities.Channel
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, retryOptions), a.NameChannel, req).Get(ctx, &ch)
	return ch, err
}

// A war room asked for under its provisional name is created under it and
// named by NameChannel; a rename whose answer was lost is not repeated.
func (s *SlackSuite) TestAProvisionalWarRoomIsNamedOnce() {
	s.impatient()
	var ch activities.Channel
	s.runRetried(createRetried, activities.CreateChannelRequest{IncidentID: "prov1", Names: []string{"inc-prov"}, Provisional: true}, &ch)
	s.Equal(activities.ProvisionalPrefix+"prov1", ch.Name)
	s.Empty(s.calls("conversations.rename"), "CreateChannel leaves the naming to NameChannel")

	s.emu.AfterApplied("conversations.rename", 1, slackemu.StallAnswer, func() {})
	var named activities.Channel
	s.runRetried(nameRetried, activities.NameChannelRequest{IncidentID: "prov1", Channel: ch, Names: []string{"inc-prov", "inc-prov-2"}}, &named)
	s.Equal(activities.Channel{ID: ch.ID, Name: "inc-prov"}, named)
	s.Len(s.liveChannels("inc-prov"), 1)
	s.Empty(s.liveChannels(activities.ProvisionalPrefix))
}

// When every wanted name is taken, the war room (by now holding its
// kickoff and responders) keeps its provisional name and is not archived.
func (s *SlackSuite) TestAWarRoomWithEveryNameTakenKeepsItsProvisionalName() {
	s.createRetriedFor("other1", "inc-busy")
	var ch activities.Channel
	s.runRetried(createRetried, activities.CreateChannelRequest{IncidentID: "prov2", Names: []string{"inc-busy"}, Provisional: true}, &ch)
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(s.slack)
	env.RegisterWorkflow(nameRetried)
	env.ExecuteWorkflow(nameRetried, activities.NameChannelRequest{IncidentID: "prov2", Channel: ch, Names: []string{"inc-busy"}})
	err := env.GetWorkflowError()
	s.Require().Error(err)
	s.Contains(err.Error(), "keeps the name #"+activities.ProvisionalPrefix+"prov2")
	got, _ := s.emu.Channel(ch.ID)
	s.False(got.IsArchived, "the war room stays open under its provisional name")
}
