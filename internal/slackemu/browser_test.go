package slackemu_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/incidentflow/incidentflow/internal/browsertest"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// press clicks the button that selector finds on the page as it is now and
// waits until the page shows evidence, failing the test after 10 s. The
// click happens inside the page in one step, so a page that reloads (after a
// form post, or on its own every few seconds) can't leave the test holding a
// node that is gone; a press made while a page is loading is tried again.
func press(t *testing.T, ctx context.Context, what, selector, evidence string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	click := `(function () { var b = document.querySelector(` + strconv.Quote(selector) + `); if (!b || b.disabled) { return false; } b.click(); return true; })()`
	for {
		clicked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](click))
		if err == nil && clicked {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("pressing %s: no enabled %s on the page within 10 s (last error: %v)", what, selector, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(evidence))); err != nil {
		t.Fatalf("after pressing %s, the page never showed %s: %v", what, evidence, err)
	}
}

// commandApp records the slash commands it receives and answers each with
// an empty 200, as an app that answers later does.
type commandApp struct {
	mu    sync.Mutex
	texts []string
}

func (a *commandApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s, err := slack.SlashCommandParse(r); err == nil {
		a.mu.Lock()
		a.texts = append(a.texts, s.Text)
		a.mu.Unlock()
	}
}

func (a *commandApp) received() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.texts...)
}

// TestSandboxPageInABrowser drives the Slack sandbox page as a person does,
// in headless Chromium: the @ picker puts in a mention the way Slack's
// client sends it, the command runs and shows as one line in the side
// panel, and the 📌 and Pin buttons under a message react and pin, which
// the app hears as events.
func TestSandboxPageInABrowser(t *testing.T) {
	ctx := browsertest.Start(t)
	srv := slackemu.NewTestServer(t, slackemu.Options{})
	events, commands := &eventApp{t: t}, &commandApp{}
	mux := http.NewServeMux()
	mux.Handle("/slack/events", events)
	mux.Handle("/slack/commands", commands)
	door := httptest.NewServer(mux)
	t.Cleanup(door.Close)
	srv.SetFrontDoor(door.URL, secret)
	msg, err := srv.PostAs(slackemu.IncidentsChannelID, slackemu.UserAlice, "Found it: the 14:00 deploy", "")
	must(t, err)
	events.wait(1)

	page := srv.URL() + "/?channel=" + slackemu.IncidentsChannelID + "&as=" + slackemu.UserBob
	input := chromedp.CSS(`#composer input[name=text]`)
	carol := chromedp.CSS(`#mentions button[data-mention^="<@` + slackemu.UserCarol + `|"]`)
	for i, step := range []chromedp.Action[chromedp.Void]{chromedp.Navigate(page), chromedp.WaitVisible(input), chromedp.SendKeys(input, "lead @ca"), chromedp.WaitVisible(carol), chromedp.Click(carol)} {
		sctx, c := context.WithTimeout(ctx, 5*time.Second)
		err := chromedp.Do(sctx, step)
		c()
		if err != nil {
			h, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(`#composer`)))
			t.Fatalf("the @ picker, step %d: %v\n%s", i, err, h)
		}
	}
	typed, err := chromedp.Run(ctx, chromedp.Value(input))
	must(t, err)
	if !strings.HasPrefix(typed, "lead <@"+slackemu.UserCarol+"|") {
		t.Fatalf("after picking, the composer holds %q", typed)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#composer button.primary`)), chromedp.WaitVisible(chromedp.CSS(`#play li.ok`))); err != nil {
		t.Fatalf("running the command: %v", err)
	}
	panel, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#play`)))
	must(t, err)
	if got := commands.received(); len(got) != 1 || !strings.HasPrefix(got[0], "lead <@"+slackemu.UserCarol+"|") {
		t.Errorf("the app received %q", got)
	}
	if !strings.Contains(panel, "/incident lead") {
		t.Errorf("the side panel says %q", panel)
	}

	// Each button submits a form and the page loads anew, so a node found
	// before the click may be gone after it: press the button the page
	// shows now, then wait for the new page to show what it did.
	press(t, ctx, "the React 📌 button", `button.timeline`, `#play li:nth-child(2)`)
	press(t, ctx, "the Pin button", `button.pin`, `#play li:nth-child(3)`)
	got := events.wait(3)
	if ev := inner[*slackevents.ReactionAddedEvent](t, got[1]); ev.User != slackemu.UserBob || ev.Reaction != "pushpin" || ev.Item.Timestamp != msg.TS {
		t.Errorf("reaction_added = %+v", ev)
	}
	if ev := inner[*slackevents.PinAddedEvent](t, got[2]); ev.User != slackemu.UserBob {
		t.Errorf("pin_added = %+v", ev)
	}
	remove, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`button.timeline`)))
	must(t, err)
	if !strings.Contains(remove, "Remove 📌") {
		t.Errorf("after the reaction the button says %q", remove)
	}
}
