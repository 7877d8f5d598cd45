// Package shutdown_test stops incidentflow's own processes the way a
// rolling restart does — SIGTERM — and checks that nothing is lost or
// delayed: `incidentflow worker` lets the activity it is running finish and
// exits 0 within worker.shutdown_grace, and `incidentflow serve` answers the
// request it is receiving before it exits. The processes are the real
// binary (internal/proctest), against an embedded Temporal server and the
// Slack emulator.
package shutdown_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/proctest"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// grace is the worker.shutdown_grace the processes run with.
const grace = 10 * time.Second

var (
	buildOnce sync.Once
	buildDir  string
	binary    string
	buildErr  error
)

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// incidentflowBinary builds the binary once for the package's tests.
func incidentflowBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		var err error
		if buildDir, err = os.MkdirTemp("", "incidentflow-shutdown-"); err != nil {
			buildErr = err
			return
		}
		binary, buildErr = proctest.Build(buildDir)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// settings are the INCIDENTFLOW_* settings of a process against env on
// taskQueue.
func settings(env *harness.Env, taskQueue string, more map[string]string) []string {
	s := map[string]string{
		"INCIDENTFLOW_TEMPORAL_ADDRESS":      env.Temporal.FrontendAddress(),
		"INCIDENTFLOW_TEMPORAL_NAMESPACE":    env.Temporal.Namespace(),
		"INCIDENTFLOW_TEMPORAL_TASK_QUEUE":   taskQueue,
		"INCIDENTFLOW_SLACK_BOT_TOKEN":       slackemu.DefaultBotToken,
		"INCIDENTFLOW_SLACK_API_URL":         env.Slack.URL() + "/api/",
		"INCIDENTFLOW_WORKER_SHUTDOWN_GRACE": grace.String(),
		"INCIDENTFLOW_LOG_FORMAT":            "text",
		"INCIDENTFLOW_RETROSPECTIVE_ENABLED": "false",
		"INCIDENTFLOW_DEV_DATA_DIR":          filepath.Join(os.TempDir(), "incidentflow-shutdown-none"),
		"INCIDENTFLOW_SLACK_SIGNING_SECRET":  "",
	}
	for k, v := range more {
		s[k] = v
	}
	return proctest.Env(s)
}

// start starts the binary with verb, logging into the test's temp dir.
func start(t *testing.T, name string, env []string, args ...string) *proctest.Process {
	t.Helper()
	p, err := proctest.Start(proctest.Spec{
		Name: name, Path: incidentflowBinary(t), Args: args, Env: env,
		LogFile: filepath.Join(t.TempDir(), name+".log"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.Kill()
		if t.Failed() {
			t.Logf("%s's log:\n%s", name, p.LogTail(40))
		}
	})
	return p
}

// waitLog waits until the process's log matches re.
func waitLog(t *testing.T, p *proctest.Process, re *regexp.Regexp, within time.Duration) {
	t.Helper()
	harness.Eventually(t, within, fmt.Sprintf("%s to log %q", p.Name(), re), func() bool {
		if !p.Running() {
			t.Fatalf("%s exited: %v", p.Name(), p.ExitErr())
		}
		return re.MatchString(p.LogTail(200))
	})
}

var polling = regexp.MustCompile(`worker polling`)

// A worker SIGTERMed while a Slack call is stalled (3 s in the emulator)
// lets the call finish, says so, and exits 0 within the grace; a worker
// started again completes the incident, and no activity ran twice.
func TestSIGTERMLetsTheRunningActivityFinish(t *testing.T) {
	env := harness.Start(t, slackemu.Options{})
	const queue = "shutdown-worker"
	w := start(t, "worker", settings(env, queue, nil), "worker")
	waitLog(t, w, polling, time.Minute)

	env.Slack.HangNext("conversations.create", 3*time.Second, 1)
	incidents := &starter.Incidents{Client: env.Client, TaskQueue: queue, Process: incident.DefaultProcess()}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const id = "drain1"
	if _, err := incidents.Declare(ctx, incident.Declaration{
		ID: id, Title: "Checkout is down", Severity: incident.Critical, Declarer: slackemu.UserAlice, Commander: slackemu.UserAlice,
	}, false); err != nil {
		t.Fatal(err)
	}
	// Wait until the worker runs CreateChannel (its call now hangs in the
	// emulator), then stop the worker.
	harness.Eventually(t, 30*time.Second, "CreateChannel to start", func() bool {
		desc, err := env.Client.DescribeWorkflowExecution(ctx, wfapi.IncidentWorkflowID(id), "")
		if err != nil {
			return false
		}
		for _, a := range desc.GetPendingActivities() {
			if a.GetActivityType().GetName() == "CreateChannel" && a.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
				return true
			}
		}
		return false
	})
	time.Sleep(300 * time.Millisecond) // the call reaches the emulator's hang
	sent := time.Now()
	if err := w.Terminate(grace + 5*time.Second); err != nil {
		t.Fatalf("the worker didn't exit cleanly on SIGTERM: %v", err)
	}
	took := time.Since(sent)
	if took > grace {
		t.Errorf("the worker took %s to exit, more than its %s grace", took, grace)
	}
	if took < 2*time.Second {
		t.Errorf("the worker exited %s after SIGTERM: it can't have waited for the 3 s call", took)
	}
	log := w.LogTail(50)
	m := regexp.MustCompile(`stopped polling; (\d+) activit(y|ies) finished; exiting`).FindStringSubmatch(log)
	if m == nil || m[1] == "0" {
		t.Errorf("the worker didn't say it let its activity finish:\n%s", log)
	} else {
		t.Logf("the worker exited 0 %s after SIGTERM: %q", took.Round(time.Millisecond), m[0])
	}
	if n := env.Slack.CallCount("conversations.create"); n != 1 {
		t.Errorf("conversations.create called %d times by the time the worker exited, want 1", n)
	}

	// A worker started again (a rolling restart's new one) finishes the
	// war room with nothing retried.
	if err := w.Restart(); err != nil {
		t.Fatal(err)
	}
	room, err := incidents.AwaitWarRoom(ctx, id)
	if err != nil {
		t.Fatalf("the war room after the restart: %v", err)
	}
	if room.ChannelID == "" {
		t.Fatalf("no war room: %+v", room)
	}
	iter := env.Client.GetWorkflowHistory(ctx, wfapi.IncidentWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && a.GetAttempt() != 1 {
			t.Errorf("an activity ran %d times (event %d): the drain should have let it finish", a.GetAttempt(), ev.GetEventId())
		}
	}
	channels := 0
	for _, ch := range env.Slack.Channels() {
		if strings.HasPrefix(ch.Name, "inc-") {
			channels++
		}
	}
	if channels != 1 {
		t.Errorf("%d war-room channels, want 1", channels)
	}
}

// `serve` SIGTERMed while a request is arriving (its body half sent) stops
// accepting connections but answers that request, then exits 0.
func TestServeAnswersTheRequestInFlightBeforeExiting(t *testing.T) {
	env := harness.Start(t, slackemu.Options{})
	const secret = "shutdown-test-signing-secret"
	addr := freeAddr(t)
	s := start(t, "serve", settings(env, "shutdown-serve", map[string]string{
		"INCIDENTFLOW_SLACK_SIGNING_SECRET": secret,
		"INCIDENTFLOW_HTTP_LISTEN":          addr,
	}), "serve")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := proctest.WaitHTTP(ctx, "http://"+addr+"/healthz"); err != nil {
		t.Fatal(err)
	}

	body := []byte(url.Values{
		"command": {"/incident"}, "text": {"help"}, "user_id": {slackemu.UserAlice}, "user_name": {"alice"},
		"channel_id": {slackemu.IncidentsChannelID}, "channel_name": {"incidents"}, "team_id": {slackemu.TeamID},
		"trigger_id": {"1.2.3"}, "response_url": {env.Slack.URL() + "/_emu/response/none"}, "api_app_id": {slackemu.AppID},
	}.Encode())
	ts, sig := slackemu.Sign(secret, time.Now(), body)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	half := len(body) / 2
	fmt.Fprintf(conn, "POST /slack/commands HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nX-Slack-Request-Timestamp: %s\r\nX-Slack-Signature: %s\r\n\r\n", addr, len(body), ts, sig)
	if _, err := conn.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the server is reading the body

	exited := make(chan error, 1)
	go func() { exited <- s.Terminate(grace + 5*time.Second) }()
	// The listener closes: a new connection is refused.
	harness.Eventually(t, 5*time.Second, "serve to stop accepting connections", func() bool {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	select {
	case err := <-exited:
		t.Fatalf("serve exited (%v) before answering the request in flight", err)
	default:
	}
	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to the request in flight: %v", err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(answer), "declare") {
		t.Errorf("the request in flight got %s %q, want 200 and the help text", resp.Status, answer)
	}
	if err := <-exited; err != nil {
		t.Fatalf("serve didn't exit cleanly on SIGTERM: %v", err)
	}
	if log := s.LogTail(20); !strings.Contains(log, "every request answered") {
		t.Errorf("serve didn't say it drained:\n%s", log)
	}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
