package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
)

// freePort returns a TCP port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer safe to read while `dev` writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// devProcess is `incidentflow dev` running in this test process.
type devProcess struct {
	// args are the flags the other verbs get: its data dir (where they
	// find it) and the flags it was started with beyond its ports.
	args     []string
	temporal string // host:port
	http     string
	ui       string
	slack    string
	github   string
	cancel   context.CancelFunc
	done     chan int
	out      *syncBuffer
}

// startDev starts dev on free ports (never the default ones) with extra
// flags, which the other verbs get too. A port picked free can be taken by
// another process's outgoing connection before dev binds it, so a start
// refused for a busy port is tried again on other ports.
func startDev(t *testing.T, dataDir string, extra ...string) *devProcess {
	t.Helper()
	t.Setenv("INCIDENTFLOW_LOG_LEVEL", "warn")
	for attempt := 1; ; attempt++ {
		d, busy := tryStartDev(t, dataDir, extra)
		if !busy {
			return d
		}
		if attempt == 3 {
			t.Fatalf("dev found a busy port three times:\n%s", d.out.String())
		}
	}
}

// tryStartDev starts dev and waits until it is ready; busy reports a start
// refused because a port was taken.
func tryStartDev(t *testing.T, dataDir string, extra []string) (d *devProcess, busy bool) {
	t.Helper()
	ports := map[string]int{}
	for _, name := range []string{"frontend", "ui", "http", "slack", "github", "pagerduty", "statuspage"} {
		ports[name] = freePort(t)
	}
	d = &devProcess{
		args:     append([]string{"--data-dir", dataDir}, extra...),
		temporal: fmt.Sprintf("127.0.0.1:%d", ports["frontend"]),
		http:     fmt.Sprintf("http://127.0.0.1:%d", ports["http"]),
		ui:       fmt.Sprintf("http://127.0.0.1:%d", ports["ui"]),
		slack:    fmt.Sprintf("http://127.0.0.1:%d", ports["slack"]),
		github:   fmt.Sprintf("http://127.0.0.1:%d", ports["github"]),
		done:     make(chan int, 1),
		out:      &syncBuffer{},
	}
	devArgs := []string{"dev", "--data-dir", dataDir,
		"--frontend-port", fmt.Sprint(ports["frontend"]), "--ui-port", fmt.Sprint(ports["ui"]),
		"--listen", fmt.Sprintf("127.0.0.1:%d", ports["http"]),
		"--slack-port", fmt.Sprint(ports["slack"]), "--github-port", fmt.Sprint(ports["github"]),
		"--pagerduty-port", fmt.Sprint(ports["pagerduty"]), "--statuspage-port", fmt.Sprint(ports["statuspage"])}
	devArgs = append(devArgs, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() { d.done <- run(ctx, devArgs, d.out, d.out) }()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(d.out.String(), "Press Ctrl-C to stop") {
		select {
		case code := <-d.done:
			if strings.Contains(d.out.String(), "already in use") {
				return d, true
			}
			t.Fatalf("dev exited with %d before it was ready:\n%s", code, d.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dev not ready within 60 s:\n%s", d.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() { d.stop(t) })
	return d, false
}

// stop cancels dev as Ctrl-C does and checks it is gone within 5 s.
func (d *devProcess) stop(t *testing.T) {
	if d.cancel == nil {
		return
	}
	d.cancel()
	d.cancel = nil
	select {
	case code := <-d.done:
		if code != 0 {
			t.Errorf("dev exited with %d:\n%s", code, d.out.String())
		}
	case <-time.After(5 * time.Second):
		t.Errorf("dev did not stop within 5 s of Ctrl-C")
	}
}

// cli runs one verb against the dev server, which it finds through the
// data dir, and returns its output.
func (d *devProcess) cli(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	verb := 1
	if args[0] == "alert" || args[0] == "maintenance" || args[0] == "drill" && len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		verb = 2 // the flags follow the subcommand
	}
	full := append(append(append([]string(nil), args[:verb]...), d.args...), args[verb:]...)
	code := run(context.Background(), full, &out, &errOut)
	return out.String() + errOut.String(), code
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestDevRunsEverythingAndSurvivesARestart is the README's run command as a
// new user tries it: the Web UI, /healthz and a visibility query answer; an
// incident declared from the CLI gets a war room in the Slack sandbox,
// whose page offers the app's message shortcuts on its messages; `setup`
// against it twice is fine; after Ctrl-C and a new start on the same data
// dir the incident is still there and still running.
func TestDevRunsEverythingAndSurvivesARestart(t *testing.T) {
	dataDir := t.TempDir()
	d := startDev(t, dataDir)

	if code, _ := get(t, d.ui+"/"); code != 200 {
		t.Errorf("Web UI answered %d", code)
	}
	if code, body := get(t, d.http+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz answered %d %q", code, body)
	}
	if code, body := get(t, d.http+"/metrics"); code != 200 || !strings.Contains(body, "incidentflow_http_requests_total") {
		t.Errorf("/metrics answered %d without incidentflow_http_requests_total", code)
	}
	query := d.ui + "/api/v1/namespaces/default/workflows?query=" + url.QueryEscape(`IncidentSeverity="critical"`)
	if code, _ := get(t, query); code != 200 {
		t.Errorf("visibility query answered %d", code)
	}

	out, code := d.cli(t, "declare", "--title", "Checkout is down", "--severity", "critical", "--declarer", "U0ALICE", "--json")
	if code != 0 {
		t.Fatalf("declare exited %d: %s", code, out)
	}
	var room struct {
		ID        string `json:"id"`
		Channel   string `json:"channel"`
		ChannelID string `json:"channel_id"`
	}
	if err := json.Unmarshal([]byte(out), &room); err != nil || room.ChannelID == "" {
		t.Fatalf("declare --json printed %q (%v)", out, err)
	}
	if code, body := get(t, d.slack+"/_emu/state"); code != 200 || !strings.Contains(body, room.Channel) {
		t.Errorf("the Slack sandbox has no channel %s", room.Channel)
	}
	_, page := get(t, d.slack+"/?channel="+room.ChannelID)
	for _, sc := range slackdoor.MessageShortcuts() {
		if !strings.Contains(page, `name="callback" value="`+sc.CallbackID+`"`) || !strings.Contains(page, "⋯ "+sc.Name+"</button>") {
			t.Errorf("the Slack sandbox's war room offers no message shortcut %q (%s)", sc.Name, sc.CallbackID)
		}
	}

	for i := 0; i < 2; i++ {
		if out, code := d.cli(t, "setup"); code != 0 {
			t.Fatalf("setup run %d exited %d: %s", i+1, code, out)
		}
	}

	d.stop(t)
	d = startDev(t, dataDir)
	out, code = d.cli(t, "status", "--incident", room.ID, "--json")
	if code != 0 {
		t.Fatalf("status after restart exited %d: %s", code, out)
	}
	var inc struct {
		Status    string `json:"status"`
		ChannelID string `json:"channel_id"`
	}
	if err := json.Unmarshal([]byte(out), &inc); err != nil {
		t.Fatalf("status --json printed %q: %v", out, err)
	}
	if inc.Status != "investigating" || inc.ChannelID != room.ChannelID {
		t.Errorf("after restart: status %q channel %q, want investigating in %s", inc.Status, inc.ChannelID, room.ChannelID)
	}
	out, code = d.cli(t, "list")
	if code != 0 || !strings.Contains(out, room.ID) {
		t.Errorf("list after restart (%d) does not show %s:\n%s", code, room.ID, out)
	}

	// A title that would recolour the terminal, clear it or reverse a line
	// is printed without the characters that would.
	out, code = d.cli(t, "declare", "--title", "DB \x1b[2J\x1b[31mdown\u202e now", "--severity", "minor", "--as", "U0ALICE")
	id := strings.Fields(strings.TrimPrefix(out, "Declared incident "))
	if code != 0 || len(id) == 0 {
		t.Fatalf("declare exited %d: %s", code, out)
	}
	for _, args := range [][]string{{"status", "--incident", strings.TrimSuffix(id[0], ":")}, {"list"}} {
		out, code = d.cli(t, args...)
		if code != 0 || !strings.Contains(out, "DB [2J[31mdown now") || strings.ContainsAny(out, "\x1b\u202e") {
			t.Errorf("%s (%d) printed the title unclean: %q", args[0], code, out)
		}
	}
}

// TestDevNamesTheFlagOfABusyPort: a port in use is one line naming the port
// and the flag that moves it.
func TestDevNamesTheFlagOfABusyPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"dev", "--data-dir", t.TempDir(), "--ui-port", fmt.Sprint(port),
		"--frontend-port", fmt.Sprint(freePort(t)), "--listen", fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		"--slack-port", fmt.Sprint(freePort(t)), "--github-port", fmt.Sprint(freePort(t)), "--pagerduty-port", fmt.Sprint(freePort(t)),
		"--statuspage-port", fmt.Sprint(freePort(t))}, &out, &errOut)
	msg := strings.TrimSpace(errOut.String())
	if code == 0 || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, fmt.Sprint(port)) || !strings.Contains(msg, "--ui-port") {
		t.Errorf("dev with a busy UI port: exit %d, message %q; want one line naming port %d and --ui-port", code, msg, port)
	}
}

// TestBadInputIsExplained: the CLI says what is wrong and what to do.
func TestBadInputIsExplained(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"declare", "--severity", "critical"}, "--title is required"},
		{[]string{"update", "--status", "fixed", "--text", "x"}, "--incident is required"},
		{[]string{"status", "--incident", "abc", "--temporal-address", fmt.Sprintf("127.0.0.1:%d", freePort(t))}, "can't reach Temporal"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := run(context.Background(), c.args, &out, &errOut)
		if code == 0 || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("incidentflow %v: exit %d, stderr %q; want it to contain %q", c.args, code, errOut.String(), c.want)
		}
	}
}

// TestHelpNamesFlagTypes: every verb's --help shows each flag with its
// type; no backquoted word in a usage string takes the type's place (pflag
// reads `word` as the type name).
func TestHelpNamesFlagTypes(t *testing.T) {
	for _, v := range verbs() {
		var out, errOut bytes.Buffer
		run(context.Background(), []string{v.name, "--help"}, &out, &errOut)
		help := out.String() + errOut.String()
		for _, line := range strings.Split(help, "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && strings.HasPrefix(f[0], "--") && strings.HasPrefix(f[1], "incidentflow") {
				t.Errorf("incidentflow %s --help: %q names a command where the flag's type belongs", v.name, strings.TrimSpace(line))
			}
		}
	}
}

// TestAlertFireAndResolveAgainstDev is the README's "try it without
// Prometheus": with no alerts configured and no --url, `alert fire` reaches
// the alert door of the dev running with its data dir, with the sandbox
// token, and the group asks in #alerts-triage; `alert resolve` closes the
// prompt; a wrong token is refused with 401.
func TestAlertFireAndResolveAgainstDev(t *testing.T) {
	d := startDev(t, t.TempDir())
	labels := "alertname=HighErrorRate,service=checkout,severity=critical"
	out, code := d.cli(t, "alert", "fire", "--labels", labels, "--summary", "5% of checkouts fail")
	if code != 0 || !strings.Contains(out, "accepted: triage") || !strings.Contains(out, d.http) {
		t.Fatalf("alert fire exited %d: %s", code, out)
	}
	triage := func() string {
		ch, _ := d.sandboxChannel(t, "alerts-triage")
		if len(ch.Messages) == 0 {
			return ""
		}
		return ch.Messages[len(ch.Messages)-1].Text
	}
	waitFor(t, "the triage prompt", func() bool {
		return strings.Contains(triage(), "Declare incident?") && strings.Contains(triage(), "HighErrorRate")
	})
	if out, code := d.cli(t, "alert", "resolve", "--labels", labels); code != 0 {
		t.Fatalf("alert resolve exited %d: %s", code, out)
	}
	waitFor(t, "the prompt closed", func() bool { return strings.Contains(triage(), "nothing was declared") })

	t.Setenv("INCIDENTFLOW_ALERTS_SOURCES_ALERTMANAGER_TOKEN", "not-the-sandbox-token-at-all")
	if out, code := d.cli(t, "alert", "fire", "--labels", labels); code == 0 || !strings.Contains(out, "401") {
		t.Errorf("alert fire with a wrong token exited %d: %s", code, out)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
