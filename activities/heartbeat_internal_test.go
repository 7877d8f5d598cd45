package activities

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// shortHeartbeats makes activities heartbeat every d for the test.
func shortHeartbeats(t *testing.T, d time.Duration) {
	old := heartbeatEvery
	heartbeatEvery = d
	t.Cleanup(func() { heartbeatEvery = old })
}

// runRecorded runs f as an activity and returns the heartbeats it asked
// for.
func runRecorded(t *testing.T, f func(ctx context.Context) error) [][]any {
	t.Helper()
	h := &heartbeats{}
	env := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{h}})
	env.RegisterActivityWithOptions(f, activity.RegisterOptions{Name: "slow"})
	if _, err := env.ExecuteActivity("slow"); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.beats
}

// A Slack call that takes longer than a heartbeat interval (Slack slow to
// answer, within the HTTP client's 20 s) heartbeats while it runs, carrying
// the progress recorded before it, so that the short heartbeat timeout
// never fires on a healthy call.
func TestASlowSlackCallHeartbeatsWhileItRuns(t *testing.T) {
	shortHeartbeats(t, 40*time.Millisecond)
	emu := slackemu.NewTestServer(t, slackemu.Options{Latency: slackemu.FixedLatency(400 * time.Millisecond)})
	s := NewSlack(slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(emu.URL()+"/api/")), SlackOptions{RateWindow: time.Millisecond})
	progress := Channel{ID: "C1", Name: "inc-1"}
	beats := runRecorded(t, func(ctx context.Context) error {
		ctx = recordProgress(ctx, progress)
		_, err := s.botUser(ctx) // one auth.test, 400 ms
		return err
	})
	// The recorded one, then one every 40 ms of the 400 ms call.
	if len(beats) < 5 {
		t.Fatalf("%d heartbeats during a 400 ms call with a 40 ms interval, want at least 5: %v", len(beats), beats)
	}
	for i, details := range beats {
		if len(details) != 1 || details[0] != progress {
			t.Errorf("heartbeat %d carries %v, want the recorded progress %v", i, details, progress)
		}
	}
}

// beating stops heartbeating when its call returns: nothing heartbeats
// for an activity that moved on (or ended).
func TestBeatingStopsWithTheCall(t *testing.T) {
	shortHeartbeats(t, 20*time.Millisecond)
	beats := runRecorded(t, func(ctx context.Context) error {
		_, err := beating(ctx, func() (int, error) { time.Sleep(150 * time.Millisecond); return 1, nil })
		time.Sleep(150 * time.Millisecond) // the activity's own work after the call
		return err
	})
	// About 7 during the call; 14 if the ticker outlived it.
	if n := len(beats); n < 3 || n > 10 {
		t.Fatalf("%d heartbeats for a 150 ms call with a 20 ms interval followed by 150 ms without a call, want about 7", n)
	}
	// Outside an activity it just runs the call.
	n, err := beating(context.Background(), func() (int, error) { return 7, nil })
	if n != 7 || err != nil {
		t.Errorf("outside an activity: %d, %v", n, err)
	}
}

// A call waiting its turn in the limiter heartbeats every interval, not
// once: a queue much longer than the heartbeat timeout stays alive.
func TestALongWaitInTheLimiterHeartbeatsEveryInterval(t *testing.T) {
	shortHeartbeats(t, 50*time.Millisecond)
	l := newLimits(500 * time.Millisecond)
	beats := runRecorded(t, func(ctx context.Context) error {
		for range tier2 + 1 { // the last one waits about a window
			if err := l.wait(ctx, "pins.add", ""); err != nil {
				return err
			}
		}
		return nil
	})
	if len(beats) < 8 {
		t.Errorf("%d heartbeats during a wait of about 500 ms with a 50 ms interval, want about 10", len(beats))
	}
}

// runStopping runs f as an activity whose worker begins to stop after
// 100 ms, and returns its error and how long it took.
func runStopping(t *testing.T, f func(ctx context.Context) error) (error, time.Duration) {
	t.Helper()
	env := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	stop := make(chan struct{})
	env.SetWorkerStopChannel(stop)
	env.RegisterActivityWithOptions(f, activity.RegisterOptions{Name: "waiting"})
	time.AfterFunc(100*time.Millisecond, func() { close(stop) })
	start := time.Now()
	_, err := env.ExecuteActivity("waiting")
	return err, time.Since(start)
}

// requireWorkerStopping requires err to be the retryable WorkerStopping
// error, returned soon after the stop.
func requireWorkerStopping(t *testing.T, err error, took time.Duration) {
	t.Helper()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrWorkerStopping || appErr.NonRetryable() {
		t.Fatalf("got %v, want a retryable %s error", err, ErrWorkerStopping)
	}
	if took > time.Second {
		t.Errorf("gave way %s after the activity began (the stop came at 100 ms), want at once", took)
	}
}

// A call still waiting its turn in the limiter when the worker begins to
// stop gives way at once, to be retried on another worker: a draining
// worker waits only for calls under way.
func TestAWaitInTheLimiterGivesWayWhenTheWorkerStops(t *testing.T) {
	l := newLimits(3 * time.Second)
	err, took := runStopping(t, func(ctx context.Context) error {
		for range tier2 + 1 { // the last one would wait 3 s
			if err := l.wait(ctx, "pins.add", ""); err != nil {
				return err
			}
		}
		return nil
	})
	requireWorkerStopping(t, err, took)
}

// blockedWorkflows is an incident workflow whose war room never opens.
type blockedWorkflows struct{ IncidentWorkflows }

func (blockedWorkflows) AwaitWarRoom(ctx context.Context, _ string) (incident.WarRoom, error) {
	<-ctx.Done()
	return incident.WarRoom{}, ctx.Err()
}

// The maintenance window's wait for its war room gives way to a stopping
// worker too, retryable (not the final failure a refused war room is).
func TestWaitingForAWarRoomGivesWayWhenTheWorkerStops(t *testing.T) {
	a := &Incidents{Workflows: blockedWorkflows{}}
	err, took := runStopping(t, func(ctx context.Context) error {
		_, err := a.MaintenanceWarRoom(ctx, WarRoomRequest{IncidentID: "x"})
		return err
	})
	requireWorkerStopping(t, err, took)
}
