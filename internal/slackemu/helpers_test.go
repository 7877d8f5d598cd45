package slackemu_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// fakeClock is an injectable clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// newClock starts at 2023-11-14T22:13:20Z (ts 1700000000).
func newClock() *fakeClock { return &fakeClock{t: time.Unix(1700000000, 0)} }

// Now reads the clock.
func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newEmu starts an emulator on a fake clock and returns a slack-go client for it.
func newEmu(t *testing.T, opts slackemu.Options) (*slackemu.Server, *slack.Client, *fakeClock) {
	t.Helper()
	clock := newClock()
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	srv := slackemu.NewTestServer(t, opts)
	return srv, client(srv), clock
}

// client returns a slack-go client with the bot token.
func client(srv *slackemu.Server, opts ...slack.Option) *slack.Client {
	return slack.New(slackemu.DefaultBotToken, append([]slack.Option{slack.OptionAPIURL(srv.URL() + "/api/")}, opts...)...)
}

// wantSlackErr asserts err is the Slack error code.
func wantSlackErr(t *testing.T, err error, code string) {
	t.Helper()
	var se slack.SlackErrorResponse
	if err == nil {
		t.Fatalf("want error %q, got success", code)
	}
	if errors.As(err, &se) {
		if se.Err != code {
			t.Fatalf("want error %q, got %q", code, se.Err)
		}
		return
	}
	if err.Error() != code {
		t.Fatalf("want error %q, got %v (%T)", code, err, err)
	}
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// postForm posts a raw form to a Web API method.
func postForm(t *testing.T, srv *slackemu.Server, method string, form url.Values, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL()+"/api/"+method, strings.NewReader(form.Encode()))
	must(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
