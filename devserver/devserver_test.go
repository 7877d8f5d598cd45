package devserver_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/devserver"
)

var searchAttributes = map[string]enumspb.IndexedValueType{
	"IncidentSeverity": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "IncidentStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"IncidentCommander": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "IncidentKind": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"IncidentChannel": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "IncidentDeclaredAt": enumspb.INDEXED_VALUE_TYPE_DATETIME,
}

// withAttribute is searchAttributes and one more.
func withAttribute(name string, typ enumspb.IndexedValueType) map[string]enumspb.IndexedValueType {
	m := maps.Clone(searchAttributes)
	m[name] = typ
	return m
}

const taskQueue = "devserver-test"

// waitForFinish returns the payload of the "finish" signal.
func waitForFinish(ctx workflow.Context) (string, error) {
	var v string
	workflow.GetSignalChannel(ctx, "finish").Receive(ctx, &v)
	return "done: " + v, nil
}

// withUpdate answers the "ping" update until it receives "stop".
func withUpdate(ctx workflow.Context) (int, error) {
	pings, stop := 0, false
	err := workflow.SetUpdateHandler(ctx, "ping", func(ctx workflow.Context, s string) (int, error) {
		pings++
		stop = s == "stop"
		return pings, nil
	})
	if err != nil {
		return 0, err
	}
	err = workflow.Await(ctx, func() bool { return stop })
	return pings, err
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func start(t *testing.T, opts devserver.Options) *devserver.Server {
	t.Helper()
	if opts.FrontendAddr == "" {
		opts.FrontendAddr = freeAddr(t)
	}
	if opts.UIAddr == "" {
		opts.UIAddr = freeAddr(t)
	}
	if opts.SearchAttributes == nil {
		opts.SearchAttributes = searchAttributes
	}
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	begin := time.Now()
	s, err := devserver.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("ready in %v (data dir %q)", time.Since(begin).Round(time.Millisecond), opts.DataDir)
	t.Cleanup(func() { stop(t, s) })
	return s
}

func stop(t *testing.T, s *devserver.Server) {
	t.Helper()
	begin := time.Now()
	if err := s.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("Stop took %v", d)
	} else {
		t.Logf("stopped in %v", d.Round(time.Millisecond))
	}
}

func dial(t *testing.T, s *devserver.Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  s.FrontendAddress(),
		Namespace: s.Namespace(),
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func startWorker(t *testing.T, c client.Client) worker.Worker {
	t.Helper()
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(waitForFinish)
	w.RegisterWorkflow(withUpdate)
	if err := w.Start(); err != nil {
		t.Fatalf("worker: %v", err)
	}
	t.Cleanup(w.Stop)
	return w
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestRestartKeepsRunningWorkflow(t *testing.T) {
	dir := t.TempDir()
	opts := devserver.Options{DataDir: dir, FrontendAddr: freeAddr(t), UIAddr: freeAddr(t)}

	s1 := start(t, opts)
	c1 := dial(t, s1)
	w1 := startWorker(t, c1)
	ctx := ctxT(t)
	run, err := c1.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "incident-restart",
		TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword("IncidentSeverity").ValueSet("critical")),
	}, waitForFinish)
	if err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	waitForWorkflowTask(t, c1, run.GetID())
	w1.Stop()
	c1.Close()
	stop(t, s1)
	if _, err := os.Stat(filepath.Join(dir, devserver.DBFileName)); err != nil {
		t.Fatalf("database file: %v", err)
	}

	// Same data dir, same ports (they must be free again after Stop), and
	// one more search attribute, which Start adds to the existing namespace.
	opts.SearchAttributes = withAttribute("IncidentAddedLater", enumspb.INDEXED_VALUE_TYPE_DATETIME)
	s2 := start(t, opts)
	c2 := dial(t, s2)
	list, err := c2.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: s2.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range opts.SearchAttributes {
		if typ := list.GetCustomAttributes()[name]; typ != want {
			t.Errorf("after restart, search attribute %s: type %v, want %v", name, typ, want)
		}
	}
	info, err := c2.WorkflowService().GetClusterInfo(ctx, &workflowservice.GetClusterInfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if n := info.GetHistoryShardCount(); n != 4 {
		t.Errorf("history shards = %d, want 4 (one timer queue each)", n)
	}
	desc, err := c2.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil {
		t.Fatalf("workflow gone after restart: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("status after restart = %v, want Running", st)
	}
	startWorker(t, c2)
	if err := c2.SignalWorkflow(ctx, run.GetID(), "", "finish", "resolved"); err != nil {
		t.Fatalf("SignalWorkflow: %v", err)
	}
	var got string
	if err := c2.GetWorkflow(ctx, run.GetID(), "").Get(ctx, &got); err != nil {
		t.Fatalf("workflow result: %v", err)
	}
	if got != "done: resolved" {
		t.Fatalf("result = %q", got)
	}
}

// waitForWorkflowTask waits until the first workflow task completed, so the
// workflow is durably waiting for its signal.
func waitForWorkflowTask(t *testing.T, c client.Client, id string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		it := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				break
			}
			if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("workflow %s never completed a workflow task", id)
}

// TestANewSearchAttributeIsUsableRightAfterTheUpgrade: a database from
// before a search attribute existed, started by a newer incidentflow that
// adds it, takes workflows tagged with it at once (Start keeps the forced
// search-attribute refresh on until the namespace cache has the new alias).
func TestANewSearchAttributeIsUsableRightAfterTheUpgrade(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stop(t, start(t, devserver.Options{DataDir: dir}))
	extra := withAttribute("IncidentExtra", enumspb.INDEXED_VALUE_TYPE_KEYWORD)
	s := start(t, devserver.Options{DataDir: dir, SearchAttributes: extra})
	c := dial(t, s)
	startWorker(t, c)
	ctx := ctxT(t)
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "incident-upgraded",
		TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword("IncidentExtra").ValueSet("x")),
	}, waitForFinish)
	if err != nil {
		t.Fatalf("ExecuteWorkflow with the attribute the upgrade added: %v", err)
	}
}

func TestSetupSearchAttributesRetentionAndUI(t *testing.T) {
	t.Parallel()
	s := start(t, devserver.Options{DataDir: t.TempDir()})
	c := dial(t, s)
	ctx := ctxT(t)

	// Setup is idempotent, also with a new attribute added later.
	extra := withAttribute("IncidentExtra", enumspb.INDEXED_VALUE_TYPE_KEYWORD)
	for i := 0; i < 2; i++ {
		if err := devserver.Setup(ctx, c, s.Namespace(), devserver.DefaultRetention, extra); err != nil {
			t.Fatalf("Setup #%d: %v", i+1, err)
		}
	}
	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: s.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range extra {
		if typ := list.GetCustomAttributes()[name]; typ != want {
			t.Errorf("search attribute %s: type %v, want %v", name, typ, want)
		}
	}
	if r := retention(t, c, s.Namespace()); r != 30*24*time.Hour {
		t.Errorf("retention = %v, want 720h", r)
	}
	// Setup changes the retention of an existing namespace...
	if err := devserver.Setup(ctx, c, s.Namespace(), 7*24*time.Hour, nil); err != nil {
		t.Fatalf("Setup 7d: %v", err)
	}
	if r := retention(t, c, s.Namespace()); r != 7*24*time.Hour {
		t.Errorf("retention = %v after Setup 7d, want 168h", r)
	}
	if err := devserver.Setup(ctx, c, s.Namespace(), devserver.DefaultRetention, searchAttributes); err != nil {
		t.Fatalf("Setup 30d: %v", err)
	}
	if r := retention(t, c, s.Namespace()); r != 30*24*time.Hour {
		t.Errorf("retention = %v, want 720h", r)
	}
	// ...and registers a missing one, as on an external cluster.
	for i := 0; i < 2; i++ {
		if err := devserver.Setup(ctx, c, "incidentflow-other", devserver.DefaultRetention, searchAttributes); err != nil {
			t.Fatalf("Setup of a new namespace #%d: %v", i+1, err)
		}
	}
	if r := retention(t, c, "incidentflow-other"); r != 30*24*time.Hour {
		t.Errorf("retention of the new namespace = %v, want 720h", r)
	}
	other, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "incidentflow-other"})
	if err != nil {
		t.Fatal(err)
	}
	if len(other.GetCustomAttributes()) != len(searchAttributes) {
		t.Errorf("new namespace has search attributes %v", other.GetCustomAttributes())
	}

	// A workflow tagged with an attribute shows up in the UI's list query.
	startWorker(t, c)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "incident-ui",
		TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword("IncidentSeverity").ValueSet("critical")),
	}, waitForFinish)
	if err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	if body := httpGet(t, s.UIURL()+"/"); !strings.Contains(strings.ToLower(body), "<html") {
		t.Errorf("UI / is not an HTML page: %.200s", body)
	}
	listURL := s.UIURL() + "/api/v1/namespaces/" + s.Namespace() + "/workflows?query=" + url.QueryEscape(`IncidentSeverity="critical"`)
	deadline := time.Now().Add(10 * time.Second)
	for body := httpGet(t, listURL); !strings.Contains(body, run.GetID()); body = httpGet(t, listURL) {
		if time.Now().After(deadline) {
			t.Fatalf("UI list query never returned %s: %.300s", run.GetID(), body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func retention(t *testing.T, c client.Client, namespace string) time.Duration {
	t.Helper()
	ns, err := c.WorkflowService().DescribeNamespace(context.Background(), &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	if err != nil {
		t.Fatalf("DescribeNamespace %s: %v", namespace, err)
	}
	return ns.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
}

func httpGet(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %.300s", u, resp.Status, body)
	}
	return string(body)
}

func TestUpdateWithStartAndSchedules(t *testing.T) {
	t.Parallel()
	s := start(t, devserver.Options{UIAddr: "-"}) // in memory, no UI
	if s.UIURL() != "" {
		t.Errorf("UIURL() = %q with the UI disabled", s.UIURL())
	}
	c := dial(t, s)
	startWorker(t, c)
	ctx := ctxT(t)

	for i, arg := range []string{"one", "stop"} {
		op := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID:                       "incident-uws",
			TaskQueue:                taskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, withUpdate)
		h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: op,
			UpdateOptions: client.UpdateWorkflowOptions{
				UpdateName:   "ping",
				Args:         []any{arg},
				WaitForStage: client.WorkflowUpdateStageCompleted,
			},
		})
		if err != nil {
			t.Fatalf("UpdateWithStartWorkflow #%d: %v", i+1, err)
		}
		var n int
		if err := h.Get(ctx, &n); err != nil || n != i+1 {
			t.Fatalf("update #%d = %d, %v", i+1, n, err)
		}
	}

	sched, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:   "maintenance-sched",
		Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}},
		Action: &client.ScheduleWorkflowAction{
			ID:        "maintenance-run",
			Workflow:  waitForFinish,
			TaskQueue: taskQueue,
		},
	})
	if err != nil {
		t.Fatalf("create schedule: %v", err)
	}
	if err := sched.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatalf("trigger schedule: %v", err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		d, err := sched.Describe(ctx)
		if err != nil {
			t.Fatalf("describe schedule: %v", err)
		}
		if len(d.Info.RunningWorkflows) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("triggered schedule started no workflow")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Stop is fast even while a worker is long-polling.
	stop(t, s)
}

func TestBusyPorts(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := l.Addr().String()

	for _, tc := range []struct {
		role string
		opts devserver.Options
	}{
		{"frontend", devserver.Options{FrontendAddr: busy, UIAddr: freeAddr(t)}},
		{"ui", devserver.Options{FrontendAddr: freeAddr(t), UIAddr: busy}},
	} {
		begin := time.Now()
		s, err := devserver.Start(context.Background(), tc.opts)
		if err == nil {
			_ = s.Stop()
			t.Fatalf("%s on a busy port: Start succeeded", tc.role)
		}
		var pe *devserver.PortInUseError
		if !errors.As(err, &pe) {
			t.Fatalf("%s: error %T %v, want *PortInUseError", tc.role, err, err)
		}
		if pe.Role != tc.role || pe.Addr != busy || !strings.Contains(err.Error(), busy) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got role %q addr %q error %q", tc.role, pe.Role, pe.Addr, err)
		}
		if d := time.Since(begin); d > time.Second {
			t.Errorf("%s: busy port reported after %v", tc.role, d)
		}
		t.Logf("%s: %v", tc.role, err)
	}
}

// lockedBuffer is an io.Writer the server's goroutines can share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Opening a workflow in the Web UI asks for a history page larger than the
// server serves, and the server warns about it each time: that warning
// stays out of a console at the default level (Info) and shows at Debug.
func TestHistoryPageSizeWarningOnlyAtDebug(t *testing.T) {
	t.Parallel()
	const noise = "GetHistory page size is larger than threshold"
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			t.Parallel()
			var console lockedBuffer
			s := start(t, devserver.Options{
				DataDir: t.TempDir(),
				Logger:  slog.New(slog.NewTextHandler(&console, &slog.HandlerOptions{Level: level})),
			})
			c := dial(t, s)
			ctx := ctxT(t)
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "incident-opened", TaskQueue: taskQueue}, waitForFinish)
			if err != nil {
				t.Fatalf("ExecuteWorkflow: %v", err)
			}
			// What the Web UI's workflow page sends.
			_, err = c.WorkflowService().GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
				Namespace:       s.Namespace(),
				Execution:       &commonpb.WorkflowExecution{WorkflowId: run.GetID(), RunId: run.GetRunID()},
				MaximumPageSize: 1000,
			})
			if err != nil {
				t.Fatalf("GetWorkflowExecutionHistory: %v", err)
			}
			logged := strings.Contains(console.String(), noise)
			if want := level == slog.LevelDebug; logged != want {
				t.Errorf("at %v the console shows %q: %v, want %v; console:\n%s", level, noise, logged, want, console.String())
			}
		})
	}
}
