package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/githubemu"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// signingSecret signs the emulator's requests to the front door.
const signingSecret = "bench-signing-secret"

// benchSeverity is the severity the scale figure declares: reminders every
// few seconds instead of every 15 minutes.
const benchSeverity incident.Severity = "bench"

// harness is the Temporal server every figure shares: the embedded dev
// server, in memory, on ephemeral ports, without the Web UI; or, with
// --temporal postgres, the production topology's server on PostgreSQL.
type harness struct {
	srv    temporalServer
	client client.Client
	logger *slog.Logger
}

// startHarness starts the Temporal server backend names ("sqlite" or
// "postgres") and connects to it.
func startHarness(ctx context.Context, backend string, logger *slog.Logger) (*harness, error) {
	var srv temporalServer
	var err error
	if backend == backendPostgres {
		srv, err = startPostgresServer(ctx)
	} else {
		srv, err = devserver.Start(ctx, devserver.Options{
			FrontendAddr:     "127.0.0.1:0",
			UIAddr:           "-",
			NoUI:             true,
			SearchAttributes: wfapi.SearchAttributeTypes(),
			Logger:           logger,
		})
	}
	if err != nil {
		return nil, fmt.Errorf("starting the Temporal server (%s): %w", backend, err)
	}
	c, err := client.DialContext(ctx, temporalclient.Options(srv.FrontendAddress(), srv.Namespace(), logger))
	if err != nil {
		_ = srv.Stop()
		return nil, fmt.Errorf("connecting to the Temporal server: %w", err)
	}
	if backend == backendPostgres {
		// What `incidentflow setup` does on a new cluster: the namespace and
		// the search attributes.
		if err := devserver.Setup(ctx, c, srv.Namespace(), devserver.DefaultRetention, wfapi.SearchAttributeTypes()); err != nil {
			c.Close()
			_ = srv.Stop()
			return nil, fmt.Errorf("setting up the namespace on PostgreSQL's Temporal: %w", err)
		}
	}
	return &harness{srv: srv, client: c, logger: logger}, nil
}

// The Temporal servers --temporal chooses between.
const (
	backendSQLite   = "sqlite"
	backendPostgres = "postgres"
)

// close stops the server.
func (h *harness) close() {
	h.client.Close()
	done := make(chan struct{})
	go func() { _ = h.srv.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

// stackOptions configure the Slack side of one figure.
type stackOptions struct {
	// name makes the task queue ("bench-<name>") and channel names unique.
	name string
	// latency is added by the emulator to every Slack call.
	latency time.Duration
	// rateLimits turns the emulator's rate limits on.
	rateLimits bool
	// rateWindow is the emulator's rate-limit window and the window of the
	// worker's client-side limiter (Slack: one minute). With rate limits
	// off the worker's limiter gets a window so short it never waits.
	rateWindow time.Duration
	// process is what every incident of the figure runs under.
	process incident.Process
	// workerInChild runs the worker in a child process (see child.go).
	workerInChild bool
	// noWorker starts no worker: the figure runs its own (the recovery
	// figure's `incidentflow worker` processes).
	noWorker bool
}

// stack is one figure's incidentflow: a Slack emulator (with a call log in
// front of it), a GitHub emulator, a worker on its own task queue and the
// Slack front door on a real listener, all on the shared Temporal server.
type stack struct {
	h         *harness
	opts      stackOptions
	taskQueue string

	emu     *slackemu.Server
	calls   *callLog
	emuURL  string
	emuHTTP *http.Server
	gh      *githubemu.Server

	incidents *starter.Incidents
	door      *slackdoor.FrontDoor
	doorURL   string
	doorHTTP  *http.Server

	worker *benchWorker
}

// newStack starts a figure's stack.
func (h *harness) newStack(ctx context.Context, opts stackOptions) (*stack, error) {
	s := &stack{h: h, opts: opts, taskQueue: "bench-" + opts.name}
	if opts.rateWindow <= 0 {
		opts.rateWindow = time.Minute
		s.opts.rateWindow = opts.rateWindow
	}

	// The Slack emulator, served through the call log.
	emuLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.emuURL = "http://" + emuLn.Addr().String()
	s.emu = slackemu.New(slackemu.Options{
		BaseURL:           s.emuURL,
		DisableRateLimits: !opts.rateLimits,
		RateWindow:        opts.rateWindow,
		Latency:           slackemu.FixedLatency(opts.latency),
	})
	s.calls = newCallLog(s.emu.Handler())
	s.emuHTTP = &http.Server{Handler: s.calls, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.emuHTTP.Serve(emuLn) }()

	s.gh = githubemu.New(githubemu.Options{})
	if err := s.gh.Start("127.0.0.1:0"); err != nil {
		s.close()
		return nil, err
	}

	s.incidents = &starter.Incidents{Client: h.client, TaskQueue: s.taskQueue, Process: opts.process}

	// The front door, on a real listener, as `incidentflow serve` runs it.
	doorLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.close()
		return nil, err
	}
	s.doorURL = "http://" + doorLn.Addr().String()
	s.door = slackdoor.NewFrontDoor(slackdoor.FrontDoorOptions{
		Incidents:     s.incidents,
		Slack:         slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(s.emuURL+doorPrefix)),
		SlackAPIURL:   s.emuURL + "/api/",
		SigningSecret: signingSecret,
		Logger:        h.logger,
	})
	s.doorHTTP = &http.Server{Handler: frontdoor.New(frontdoor.Doors{Slack: s.door}, nil), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.doorHTTP.Serve(doorLn) }()
	s.emu.SetFrontDoor(s.doorURL, signingSecret)

	if opts.noWorker {
		return s, nil
	}
	if s.worker, err = startWorker(ctx, s); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// workerRateWindow is the window the worker's client-side Slack limiter
// uses: the emulator's when its rate limits are on, else one so short that
// the limiter never holds a call back.
func (s *stack) workerRateWindow() time.Duration {
	if s.opts.rateLimits {
		return s.opts.rateWindow
	}
	return time.Millisecond
}

// close ends the figure's incidents, then stops the worker, the front door
// and the emulators, so the next figure finds the server idle.
func (s *stack) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s.terminateRunning(ctx)
	if s.worker != nil {
		s.worker.stop()
	}
	shutdown := func(srv *http.Server) {
		if srv == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	shutdown(s.doorHTTP)
	if s.door != nil {
		done := make(chan struct{})
		go func() { s.door.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
		}
	}
	shutdown(s.emuHTTP)
	if s.emu != nil {
		s.emu.Close()
	}
	if s.gh != nil {
		s.gh.Close()
	}
}

// terminateRunning terminates every workflow still running on the stack's
// task queue. Left running without a worker, their timers and activity
// retries would keep the server busy during the next figures.
func (s *stack) terminateRunning(ctx context.Context) {
	query := fmt.Sprintf("TaskQueue = '%s' AND ExecutionStatus = 'Running'", s.taskQueue)
	var ids []string
	var token []byte
	for {
		resp, err := s.h.client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: query, PageSize: 1000, NextPageToken: token,
		})
		if err != nil {
			break
		}
		for _, ex := range resp.GetExecutions() {
			ids = append(ids, ex.GetExecution().GetWorkflowId())
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	_ = forEach(ctx, len(ids), 20, func(ctx context.Context, i int) error {
		_ = s.h.client.TerminateWorkflow(ctx, ids[i], "", "bench: the figure is over")
		return nil
	})
}

// ackResult is one request to the front door as Slack saw it.
type ackResult struct {
	Kind    string // "command" or "submission"
	Elapsed time.Duration
	Status  int
	Err     error
	Late    bool // answered after Slack's 3 s
}

// startFigure starts the clock of the figure called name and builds its
// stack: the process its incidents run (severities reminding every cadence,
// 0 for the defaults), changed by tune when not nil, and the stack opts
// describe. The caller defers end, which closes the stack and stops the
// clock. A failure is recorded in fig and the stack is nil.
func (h *harness) startFigure(ctx context.Context, name string, cadence time.Duration, tune func(*incident.Process), opts stackOptions) (fig *figure, s *stack, end func()) {
	fig = &figure{Name: name, start: time.Now()}
	end = func() {
		if s != nil {
			s.close()
		}
		fig.Elapsed = seconds(time.Since(fig.start))
	}
	proc, err := benchProcess(cadence)
	if err == nil {
		if tune != nil {
			tune(&proc)
		}
		opts.process = proc
		if s, err = h.newStack(ctx, opts); err == nil {
			return fig, s, end
		}
	}
	fig.Error = err.Error()
	return fig, nil, end
}

// openDeclare types "/incident declare <title>" as user in #incidents and
// returns the ID of the declare modal the front door opened.
func (s *stack) openDeclare(ctx context.Context, title, user string) (string, ackResult, error) {
	rep, err := s.emu.SlashCommand(ctx, slackemu.SlashCommand{Text: "declare " + title, UserID: user})
	if err != nil {
		return "", ackResult{Kind: "command", Err: err}, err
	}
	res := ackResult{Kind: "command", Elapsed: rep.Elapsed, Status: rep.Status, Late: rep.Late}
	if rep.Status != http.StatusOK {
		err = fmt.Errorf("the front door answered the slash command with HTTP %d", rep.Status)
	} else if text := string(rep.Body); len(rep.Body) > 0 {
		// A modal opens with an empty answer; any text is a complaint.
		err = fmt.Errorf("the front door didn't open the declare modal: %s", text)
	}
	if err != nil {
		res.Err = err
		return "", res, err
	}
	// The front door answers first and opens the modal right after, while
	// the trigger_id is fresh (3 s).
	deadline := time.Now().Add(3 * time.Second)
	for {
		if viewID, ok := s.calls.View(rep.TriggerID); ok {
			return viewID, res, nil
		}
		if time.Now().After(deadline) {
			res.Err = errors.New("no views.open call carried the trigger_id of the slash command within 3 s")
			return "", res, res.Err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// submitDeclare submits a declare modal. The incident's ID is the front
// door's business: callLog.Incident finds it once the war room exists.
func (s *stack) submitDeclare(ctx context.Context, viewID, title string, sev incident.Severity) (ackResult, error) {
	values := map[string]map[string]slack.BlockAction{
		slackdoor.FieldTitle:    {slackdoor.FieldTitle: {Value: title}},
		slackdoor.FieldSeverity: {slackdoor.FieldSeverity: {SelectedOption: slack.OptionBlockObject{Value: string(sev)}}},
	}
	rep, err := s.emu.SubmitView(ctx, viewID, "", values)
	if err != nil {
		return ackResult{Kind: "submission", Err: err}, err
	}
	res := ackResult{Kind: "submission", Elapsed: rep.Elapsed, Status: rep.Status, Late: rep.Late}
	switch {
	case rep.Status != http.StatusOK:
		res.Err = fmt.Errorf("the front door answered the view submission with HTTP %d", rep.Status)
	case rep.ResponseAction == "errors":
		res.Err = fmt.Errorf("the declare modal showed an error: %v", rep.Errors)
	}
	return res, res.Err
}

// awaitDeclared waits until the incident declared with title has its war
// room ready and returns its ID.
func (s *stack) awaitDeclared(ctx context.Context, title string) (string, error) {
	id, err := s.calls.Incident(ctx, title)
	if err != nil {
		return "", err
	}
	if _, err := s.awaitWarRoom(ctx, id); err != nil {
		return id, fmt.Errorf("incident %s: %w", id, err)
	}
	return id, nil
}

// awaitWarRoom waits until incident id's war room is ready, the way
// `incidentflow declare` does: the war-room-ready update, waited on to
// completion.
func (s *stack) awaitWarRoom(ctx context.Context, id string) (incident.WarRoom, error) {
	var room incident.WarRoom
	for {
		handle, err := s.h.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   wfapi.IncidentWorkflowID(id),
			UpdateName:   wfapi.UpdateWarRoomReady,
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = handle.Get(ctx, &room)
		}
		if err == nil || ctx.Err() != nil {
			return room, err
		}
		// The update can race the workflow's start on a loaded server.
		select {
		case <-ctx.Done():
			return room, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// declareDirect declares an incident through the starter, as the CLI does,
// without waiting for the war room.
func (s *stack) declareDirect(ctx context.Context, id, title string, sev incident.Severity) error {
	_, err := s.incidents.Declare(ctx, incident.Declaration{
		ID: id, Title: title, Severity: sev, Declarer: slackemu.UserAlice, Commander: slackemu.UserAlice,
	}, false)
	return err
}

// forEach runs f for 0..n-1 with at most par at a time and returns the
// first error.
func forEach(ctx context.Context, n, par int, f func(ctx context.Context, i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, max(par, 1))
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := f(ctx, i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	return first
}

// quietLogger discards everything below Error.
func quietLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelError + 4
	if verbose {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
