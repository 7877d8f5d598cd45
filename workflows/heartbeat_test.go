package workflows_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"github.com/incidentflow/incidentflow/workflows"
)

// startedActivities records the options every (non-local) activity of a
// workflow under test was scheduled with, as the activity itself sees them.
type startedActivities struct {
	mu    sync.Mutex
	infos map[string]activity.Info // by activity type
}

func recordStarted(env *testsuite.TestWorkflowEnvironment) *startedActivities {
	r := &startedActivities{infos: map[string]activity.Info{}}
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.infos[info.ActivityType.Name] = *info
	})
	return r
}

// check requires that each of want was started, and that every activity
// started carries workflows.HeartbeatTimeout: a worker killed mid-call is
// noticed within seconds, not the minute it used to take.
func (r *startedActivities) check(t *testing.T, want ...string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range want {
		if _, ok := r.infos[name]; !ok {
			t.Errorf("activity %s was not started; started: %v", name, r.names())
		}
	}
	for name, info := range r.infos {
		if info.HeartbeatTimeout != workflows.HeartbeatTimeout {
			t.Errorf("activity %s has heartbeat timeout %s, want %s", name, info.HeartbeatTimeout, workflows.HeartbeatTimeout)
		}
	}
}

func (r *startedActivities) names() []string {
	var out []string
	for n := range r.infos {
		out = append(out, n)
	}
	return out
}

// The HeartbeatTimeout leaves two heartbeats of slack (the activities
// heartbeat every second and the worker sends them at most a second apart)
// and, with the Slack retry's first interval, a killed worker's call runs
// again within the 5 s.
func TestHeartbeatTimeoutLeavesRoomForHeartbeats(t *testing.T) {
	if got := workflows.HeartbeatTimeout; got < 3*time.Second || got > 4*time.Second {
		t.Errorf("HeartbeatTimeout is %v: want 3–4 s, room for heartbeats a second apart and a retry within 5 s of a kill", got)
	}
}

// Every Slack activity of a declaration, the war room and its resolution
// carries the short heartbeat timeout.
func (s *IncidentSuite) TestEverySlackActivityHasTheShortHeartbeatTimeout() {
	started := recordStarted(s.env)
	s.TestWarRoomIsOpenedAndEquipped()
	started.check(s.T(), "CreateChannel", "SetPurpose", "Invite", "AddBookmarks", "SetTopic")
}

// The retrospective's GitHub and calendar activities carry it too.
func (s *RetroSuite) TestGitHubAndCalendarActivitiesHaveTheShortHeartbeatTimeout() {
	started := recordStarted(s.env)
	s.TestFridayAfternoonBooksTuesdayAndPublishes()
	started.check(s.T(), "BookMeeting", "PublishPostmortem", "OpenActionItem")
}

// So do the incident activities a maintenance window waits on (the real
// activities, heartbeating while the fake incident workflow answers).
func (s *MaintenanceSuite) TestIncidentActivitiesHaveTheShortHeartbeatTimeout() {
	started := recordStarted(s.env)
	s.TestTheLeadIsAskedAtTheEndThenAnOverrunEscalatesAndPromotes()
	started.check(s.T(), "MaintenanceWarRoom")
}
