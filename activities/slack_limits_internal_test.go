package activities

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
)

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func TestSlidingWindowServesAQueueAtSlacksFullRate(t *testing.T) {
	w := newSlidingWindow(20, time.Minute)
	var starts []time.Time
	for range 400 { // 200 war rooms' two bookmarks, all asked for at once
		starts = append(starts, w.reserve(t0))
	}
	if got, want := starts[399].Sub(t0), 19*time.Minute; got != want {
		t.Errorf("the 400th call starts %s after the first, want %s: ⌈400/20⌉ − 1 windows, Slack's floor", got, want)
	}
	for i := 20; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-20]); gap < time.Minute {
			t.Fatalf("calls %d and %d start %s apart: 21 calls in one window", i-20, i, gap)
		}
	}
}

func TestSlidingWindowLetsCallsThroughOnceTheWindowMovesOn(t *testing.T) {
	w := newSlidingWindow(3, time.Second)
	for i, tc := range []struct {
		at, want time.Duration
	}{
		{0, 0}, {100 * time.Millisecond, 100 * time.Millisecond}, {200 * time.Millisecond, 200 * time.Millisecond},
		{300 * time.Millisecond, time.Second},              // the first call's window is still open
		{2 * time.Second, 2 * time.Second},                 // long after: no wait
		{2 * time.Second, 2 * time.Second},                 // the 2nd and 3rd calls' windows have passed
		{2 * time.Second, 2 * time.Second},                 // so has the 4th's, which started at 1 s
		{2 * time.Second, 3 * time.Second},                 // three calls at 2 s fill its window
		{3500 * time.Millisecond, 3500 * time.Millisecond}, // the 2 s calls' windows ended at 3 s
	} {
		if got := w.reserve(t0.Add(tc.at)).Sub(t0); got != tc.want {
			t.Errorf("call %d asked at %s: starts at %s, want %s", i, tc.at, got, tc.want)
		}
	}
}

func TestPostsInOneChannelBurstThenGoOneASecond(t *testing.T) {
	l := newLimits(time.Minute)
	s := l.schedule("chat.postMessage", "C1")
	var waits []time.Duration
	for range 5 {
		waits = append(waits, s.reserve(t0).Sub(t0))
	}
	for i := range postBurst {
		if waits[i] != 0 {
			t.Errorf("post %d of the burst waits %s", i, waits[i])
		}
	}
	if waits[3] < time.Second || waits[4] < 2*time.Second {
		t.Errorf("posts after the burst wait %s and %s, want a second apart", waits[3], waits[4])
	}
	if other := l.schedule("chat.postMessage", "C2").reserve(t0); !other.Equal(t0) {
		t.Errorf("another channel's post waits %s", other.Sub(t0))
	}
}

func TestATurnPastTheDeadlineAsksTemporalToRetryThen(t *testing.T) {
	l := newLimits(time.Hour)
	for range tier2 {
		if err := l.wait(context.Background(), "pins.add", ""); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := l.wait(ctx, "pins.add", "")
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrSlackRateLimited {
		t.Fatalf("got %v, want a %s application error", err, ErrSlackRateLimited)
	}
	if d, turn := appErr.NextRetryDelay(), l.window+l.travelMargin(); d < turn-time.Minute || d > turn {
		t.Errorf("retry in %s, want %s: the 21st call's turn", d, turn)
	}
}

// heartbeats records every heartbeat an activity asks for, before the SDK
// throttles them.
type heartbeats struct {
	interceptor.WorkerInterceptorBase
	mu    sync.Mutex
	beats [][]any
}

func (h *heartbeats) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &heartbeatsInbound{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, h: h}
}

type heartbeatsInbound struct {
	interceptor.ActivityInboundInterceptorBase
	h *heartbeats
}

func (i *heartbeatsInbound) Init(outbound interceptor.ActivityOutboundInterceptor) error {
	return i.Next.Init(&heartbeatsOutbound{ActivityOutboundInterceptorBase: interceptor.ActivityOutboundInterceptorBase{Next: outbound}, h: i.h})
}

type heartbeatsOutbound struct {
	interceptor.ActivityOutboundInterceptorBase
	h *heartbeats
}

func (o *heartbeatsOutbound) RecordHeartbeat(ctx context.Context, details ...any) {
	o.h.mu.Lock()
	o.h.beats = append(o.h.beats, details)
	o.h.mu.Unlock()
	o.Next.RecordHeartbeat(ctx, details...)
}

// A call waiting its turn heartbeats, and repeats the progress recorded
// before it so that a retried attempt still finds it.
func TestWaitingHeartbeatsAndKeepsTheRecordedProgress(t *testing.T) {
	l := newLimits(600 * time.Millisecond)
	h := &heartbeats{}
	env := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{h}})
	progress := Channel{ID: "C1", Name: "inc-1"}
	env.RegisterActivityWithOptions(func(ctx context.Context) error {
		ctx = recordProgress(ctx, progress)
		for range tier2 + 1 { // the last one waits a window
			if err := l.wait(ctx, "conversations.setPurpose", ""); err != nil {
				return err
			}
		}
		return nil
	}, activity.RegisterOptions{Name: "queue"})
	if _, err := env.ExecuteActivity("queue"); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.beats) != 2 {
		t.Fatalf("heartbeats %v: want the recorded one and one while waiting", h.beats)
	}
	for i, details := range h.beats {
		if len(details) != 1 || details[0] != progress {
			t.Errorf("heartbeat %d carries %v, want the recorded progress %v", i, details, progress)
		}
	}
}
