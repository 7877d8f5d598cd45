package slackemu_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// A hook runs after the nth successful call has changed the workspace and
// before its answer: the state it sees already holds the call's effect.
func TestAfterAppliedSeesTheEffectBeforeTheAnswer(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{DisableRateLimits: true})
	post := func(text string) error {
		_, _, err := api.PostMessage(slackemu.IncidentsChannelID, slack.MsgOptionText(text, false))
		return err
	}
	var seen []int
	srv.AfterApplied("chat.postMessage", 2, slackemu.SendAnswer, func() {
		seen = append(seen, len(srv.Messages(slackemu.IncidentsChannelID)))
	})
	must(t, post("one"))
	srv.FailNext("chat.postMessage", "fatal_error", 1)
	wantSlackErr(t, post("refused"), "fatal_error") // a failed call doesn't count
	if _, err := api.AuthTest(); err != nil {       // nor does another method
		t.Fatal(err)
	}
	must(t, post("two")) // the second successful post: the hook fires, then the answer goes
	must(t, post("three"))
	if len(seen) != 1 || seen[0] != 2 {
		t.Fatalf("the hook saw %v messages, want once, with both posts applied", seen)
	}
}

// StallAnswer withholds the answer until the caller gives up; the call's
// effect stays, and the next call is answered as usual.
func TestAfterAppliedStallsTheAnswer(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{DisableRateLimits: true})
	var fired atomic.Int32
	srv.AfterApplied("conversations.create", 1, slackemu.StallAnswer, func() { fired.Add(1) })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-stalled"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the stalled create answered %v, want the caller's deadline", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("the stall outlived its caller by %s", time.Since(start))
	}
	if fired.Load() != 1 {
		t.Fatalf("hook fired %d times", fired.Load())
	}
	found := false
	for _, ch := range srv.Channels() {
		found = found || ch.Name == "inc-stalled"
	}
	if !found {
		t.Fatal("the channel of the stalled create is not in the workspace")
	}
	_, err = api.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-stalled"})
	wantSlackErr(t, err, "name_taken") // the hook fired once: this one is answered
	if fired.Load() != 1 {
		t.Fatalf("hook fired %d times, want once", fired.Load())
	}
	harnessWait(t, func() bool {
		for _, c := range srv.Calls() {
			if c.Method == "conversations.create" && c.Error == "answer_withheld" && c.Status == 499 {
				return true
			}
		}
		return false
	})
}

// AnyMethod counts every method; Reset drops hooks not yet fired.
func TestAfterAppliedAnyMethodAndReset(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{DisableRateLimits: true})
	var fired []string
	srv.AfterApplied(slackemu.AnyMethod, 2, slackemu.SendAnswer, func() { fired = append(fired, "any") })
	srv.AfterApplied("auth.test", 5, slackemu.SendAnswer, func() { fired = append(fired, "late") })
	_, err := api.AuthTest()
	must(t, err)
	_, err = api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: slackemu.IncidentsChannelID})
	must(t, err)
	if len(fired) != 1 || fired[0] != "any" {
		t.Fatalf("fired = %v", fired)
	}
	srv.Reset()
	for range 6 {
		_, err = api.AuthTest()
		must(t, err)
	}
	if len(fired) != 1 {
		t.Fatalf("a hook survived Reset: %v", fired)
	}
}

// harnessWait polls cond for up to two seconds (the call log is written
// after the handler gives up on a withheld answer).
func harnessWait(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 2s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
