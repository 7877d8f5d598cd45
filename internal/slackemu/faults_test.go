package slackemu_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

func TestFaults(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{DisableRateLimits: true})
	post := func() error {
		_, _, err := api.PostMessage(slackemu.IncidentsChannelID, slack.MsgOptionText("x", false))
		return err
	}

	srv.FailNext("chat.postMessage", "fatal_error", 2)
	wantSlackErr(t, post(), "fatal_error")
	wantSlackErr(t, post(), "fatal_error")
	must(t, post())

	srv.FailNextHTTP("chat.postMessage", http.StatusServiceUnavailable, 1)
	var sce slack.StatusCodeError
	if err := post(); !errors.As(err, &sce) || sce.Code != http.StatusServiceUnavailable {
		t.Fatalf("want 503, got %v", err)
	}
	must(t, post())

	srv.FailNextHTTP(slackemu.AnyMethod, http.StatusTooManyRequests, 1)
	var rl *slack.RateLimitedError
	if _, err := api.AuthTest(); !errors.As(err, &rl) {
		t.Fatalf("want RateLimitedError, got %v", err)
	}

	// A hung call holds until the client gives up; the next call is normal.
	srv.HangNext("conversations.info", 5*time.Second, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: slackemu.IncidentsChannelID})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("hang: %v after %v", err, time.Since(start))
	}
	_, err = api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: slackemu.IncidentsChannelID})
	must(t, err)

	// A short hang then succeeds.
	srv.HangNext("auth.test", 50*time.Millisecond, 1)
	start = time.Now()
	_, err = api.AuthTest()
	must(t, err)
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("hang too short")
	}

	// Latency, settable at run time.
	srv.SetLatency(func(method string) time.Duration {
		if method == "auth.test" {
			return 60 * time.Millisecond
		}
		return 0
	})
	start = time.Now()
	_, err = api.AuthTest()
	must(t, err)
	if time.Since(start) < 60*time.Millisecond {
		t.Fatal("latency not applied")
	}
	srv.SetLatency(nil)

	// The call log saw all of it.
	var errs []string
	for _, c := range srv.Calls() {
		if c.Method == "chat.postMessage" {
			errs = append(errs, c.Error+"/"+http.StatusText(c.Status))
		}
		if c.End.Before(c.Start) {
			t.Fatalf("call %+v ends before it starts", c)
		}
	}
	want := []string{"fatal_error/OK", "fatal_error/OK", "/OK", "/Service Unavailable", "/OK"}
	if len(errs) != len(want) {
		t.Fatalf("calls = %v", errs)
	}
	for i := range want {
		if errs[i] != want[i] {
			t.Fatalf("calls = %v, want %v", errs, want)
		}
	}
	if srv.CallCount("chat.postMessage") != 5 {
		t.Fatalf("CallCount = %d", srv.CallCount("chat.postMessage"))
	}

	// Reset restores the seeded workspace and clears the log and faults.
	srv.FailNext("auth.test", "fatal_error", 5)
	srv.Reset()
	if len(srv.Messages(slackemu.IncidentsChannelID)) != 0 || len(srv.Calls()) != 0 || srv.CallCount("chat.postMessage") != 0 {
		t.Fatal("Reset kept state")
	}
	_, err = api.AuthTest()
	must(t, err)
}
