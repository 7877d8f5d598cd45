package slackemu_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

func TestTier2CreateLimit(t *testing.T) {
	srv, api, clock := newEmu(t, slackemu.Options{})
	ok, limited := 0, 0
	for i := range 30 {
		_, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: fmt.Sprintf("inc-%02d", i)})
		var rl *slack.RateLimitedError
		switch {
		case err == nil:
			ok++
			if limited > 0 {
				t.Fatalf("call %d succeeded after a 429", i)
			}
		case errors.As(err, &rl):
			limited++
			if rl.RetryAfter < time.Second || rl.RetryAfter > time.Minute {
				t.Fatalf("RetryAfter = %v", rl.RetryAfter)
			}
		default:
			t.Fatalf("call %d: %v", i, err)
		}
		clock.Advance(time.Second) // 30 calls inside one minute
	}
	if ok != 20 || limited != 10 {
		t.Fatalf("ok=%d limited=%d, want 20/10", ok, limited)
	}
	if got := len(srv.Channels()); got != 2+20 {
		t.Fatalf("channels = %d", got)
	}

	// The raw answer: HTTP 429, Retry-After in whole seconds, ok:false ratelimited.
	resp := postForm(t, srv, "conversations.create", url.Values{"token": {slackemu.DefaultBotToken}, "name": {"raw"}}, nil)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	if body := decode(t, resp); body["ok"] != false || body["error"] != "ratelimited" {
		t.Fatalf("body %v", body)
	}

	// A caller that honours RateLimitedError.RetryAfter gets through.
	for attempt := 0; ; attempt++ {
		_, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-after-wait"})
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) && attempt < 3 {
			clock.Advance(rl.RetryAfter)
			continue
		}
		must(t, err)
		break
	}
	// Other methods have their own windows.
	_, err := api.InviteUsersToConversation(srv.Channels()[2].ID, slackemu.UserBob)
	must(t, err)
	if got := srv.CallCount("conversations.create"); got != 30+1+2 {
		t.Fatalf("CallCount = %d", got)
	}
}

// clockRetry is a slack-go retry handler that waits on the fake clock instead of sleeping.
type clockRetry struct{ clock *fakeClock }

func (h clockRetry) ShouldRetry(state *slack.RetryState, _ *http.Request, resp *http.Response, _ error) (bool, time.Duration) {
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests || state.Attempt >= state.MaxRetries {
		return false, 0
	}
	secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	h.clock.Advance(time.Duration(secs) * time.Second)
	return true, 0
}

func TestSlackGoRetryOptions(t *testing.T) {
	t.Run("OptionRetryConfig on the injected clock", func(t *testing.T) {
		srv, _, clock := newEmu(t, slackemu.Options{})
		api := client(srv, slack.OptionRetryConfig(slack.RetryConfig{MaxRetries: 2, Handlers: []slack.RetryHandler{clockRetry{clock}}}))
		for i := range 25 {
			_, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: fmt.Sprintf("retry-%02d", i)})
			must(t, err)
		}
		calls := srv.Calls()
		limited := 0
		for _, c := range calls {
			if c.Status == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited == 0 || len(srv.Channels()) != 2+25 {
			t.Fatalf("limited=%d channels=%d", limited, len(srv.Channels()))
		}
	})
	t.Run("OptionRetry with a scaled window", func(t *testing.T) {
		// A one-second window keeps slack-go's real sleep (Retry-After: 1) short.
		srv := slackemu.NewTestServer(t, slackemu.Options{RateWindow: time.Second})
		api := client(srv, slack.OptionRetry(3))
		start := time.Now()
		for i := range 21 {
			_, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: fmt.Sprintf("real-%02d", i)})
			must(t, err)
		}
		if srv.CallCount("conversations.create") < 22 {
			t.Fatalf("expected at least one 429, calls=%d", srv.CallCount("conversations.create"))
		}
		if time.Since(start) < time.Second {
			t.Fatal("slack-go did not wait for Retry-After")
		}
	})
}

func TestPostMessagePerChannelBucket(t *testing.T) {
	srv, api, clock := newEmu(t, slackemu.Options{})
	post := func(ch string) error {
		_, _, err := api.PostMessage(ch, slack.MsgOptionText("update", false))
		return err
	}
	for range 3 { // the burst
		must(t, post(slackemu.IncidentsChannelID))
	}
	var rl *slack.RateLimitedError
	if err := post(slackemu.IncidentsChannelID); !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("4th post: %v", err)
	}
	must(t, post(slackemu.GeneralChannelID)) // other channels are unaffected
	clock.Advance(time.Second)
	must(t, post(slackemu.IncidentsChannelID))
	if err := post(slackemu.IncidentsChannelID); !errors.As(err, &rl) {
		t.Fatalf("refill is one per second: %v", err)
	}

	srv.SetRateLimits(false)
	for range 10 {
		must(t, post(slackemu.IncidentsChannelID))
	}
	if slackemu.MethodTier("conversations.create") != slackemu.Tier2 || slackemu.MethodTier("views.open") != slackemu.Tier4 {
		t.Fatal("tiers")
	}
}

func TestDisableRateLimits(t *testing.T) {
	_, api, _ := newEmu(t, slackemu.Options{DisableRateLimits: true})
	for i := range 30 {
		_, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: fmt.Sprintf("free-%02d", i)})
		must(t, err)
	}
}
