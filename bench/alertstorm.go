package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/alertdoor"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// stormSettings configure the alert-storm figure.
type stormSettings struct {
	Notifications int           // webhook notifications sent in all
	Duration      time.Duration // over how long
	Groups        int           // alert groups they are about: one incident each
	Doors         int           // front doors (replicas) they are spread over
	Latency       time.Duration // per Slack call
}

// stormFlags registers the figure's flags.
func stormFlags(fs *flag.FlagSet, s *stormSettings) {
	fs.IntVar(&s.Notifications, "storm-notifications", 1000, "alert storm: Alertmanager webhook notifications sent")
	fs.DurationVar(&s.Duration, "storm-duration", 10*time.Second, "alert storm: how long the notifications are spread over")
	fs.IntVar(&s.Groups, "storm-groups", 50, "alert storm: alert groups the notifications are about (each declares one incident)")
	fs.IntVar(&s.Doors, "storm-doors", 3, "alert storm: front doors (each its own listener and Temporal client) the notifications go to, round-robin")
}

// stormQuick are the figure's --quick sizes, by flag: a tenth of the
// notifications over 2 s, 10 groups.
func stormQuick(s *stormSettings) map[string]func() {
	return map[string]func(){
		"storm-notifications": func() { s.Notifications = 100 },
		"storm-duration":      func() { s.Duration = 2 * time.Second },
		"storm-groups":        func() { s.Groups = 10 },
	}
}

// check says what is wrong with the settings.
func (s stormSettings) check() error {
	switch {
	case s.Groups <= 0 || s.Doors <= 0 || s.Duration <= 0:
		return errors.New("--storm-groups, --storm-doors and --storm-duration must be positive")
	case s.Notifications < s.Groups:
		return errors.New("--storm-notifications must be at least --storm-groups: every group needs a notification")
	}
	return nil
}

// stormToken is the bearer token of the alertmanager source.
const stormToken = "bench-alertmanager-token-0123456789"

// stormReceiver is the Alertmanager receiver the notifications come from.
const stormReceiver = "incidentflow"

// stormSendTimeout is how long the sender waits for an answer, as an
// Alertmanager webhook_config's timeout would.
const stormSendTimeout = 10 * time.Second

// stormCatchUp bounds the wait for the groups to apply what was
// acknowledged, and for their incidents and war rooms.
const stormCatchUp = 2 * time.Minute

// runAlertStorm sends an Alertmanager storm to several front doors at once:
// webhook notifications (payload version 4, with the source's bearer token)
// about many alert groups, each group's notifications changing as alerts
// join and resolve, with Alertmanager's repeats among them, sent
// round-robin to front doors that each have their own listener, alert door
// and Temporal client (replicas of `incidentflow serve`), on a fixed
// schedule whatever the answers take. Measured: how fast each notification
// is acknowledged; that every group opened exactly one incident whichever
// doors its notifications reached; and that every notification
// acknowledged reached its group's workflow.
func runAlertStorm(ctx context.Context, h *harness, set stormSettings) *figure {
	fig, s, end := h.startFigure(ctx, "alert storm", 0, nil, stackOptions{name: "alertstorm", latency: set.Latency})
	defer end()
	if s == nil {
		return fig
	}
	r := &stormRun{s: s, set: set}
	defer r.close()
	if err := r.setup(ctx); err != nil {
		fig.Error = "starting the alert front doors: " + err.Error()
		return fig
	}
	r.drive(ctx)
	r.judge(ctx, fig)
	return fig
}

// stormRun is one run of the alert-storm figure.
type stormRun struct {
	s   *stack
	set stormSettings

	doors  []*stormDoor
	sender *http.Client
	groups []*stormGroup
	plan   []stormNote
	// results[i] is how plan[i] was answered.
	results []stormResult
	t0      time.Time     // the first send
	sent    time.Time     // when the last send was answered
	cpu0    time.Duration // this process's CPU time at t0
	load0   string        // the machine's load average before the storm
}

// stormDoor is one front door: an alert door over its own Temporal client
// behind frontdoor.New, on its own listener.
type stormDoor struct {
	c      client.Client
	alerts *starter.Alerts
	url    string
	srv    *http.Server
}

// stormNote is one notification of the plan.
type stormNote struct {
	group int
	body  []byte
	kind  string // first, join, resolve, join+resolve, repeat, all resolved
}

// stormResult is one notification's answer.
type stormResult struct {
	status  int
	elapsed time.Duration
	err     error
	body    string
}

func (r stormResult) acked() bool { return r.err == nil && r.status >= 200 && r.status < 300 }

// setup starts the front doors, checks each answers, and writes every
// notification of the storm.
func (r *stormRun) setup(ctx context.Context) error {
	cfg := alert.Config{
		Sources: map[string]alert.SourceConfig{string(alert.SourceAlertmanager): {Token: stormToken}},
		Routes: []alert.RouteConfig{{
			Matchers:      []string{`severity=~"page|ticket"`},
			SeverityLabel: "severity",
			SeverityMap:   map[string]string{"page": "critical", "ticket": "major"},
			Severity:      "major",
			Mode:          string(alert.ModeDeclare),
			Title:         "{{ .CommonAnnotations.summary }}",
		}},
	}
	proc := r.s.incidents.Process
	settings := wfapi.AlertSettings{TriageChannel: cfg.Channel(), PostEvery: cfg.PostInterval(), ReopenWithin: cfg.ReopenWindow()}
	for range r.set.Doors {
		c, err := client.DialContext(ctx, temporalclient.Options(r.s.h.srv.FrontendAddress(), r.s.h.srv.Namespace(), r.s.h.logger))
		if err != nil {
			return err
		}
		d := &stormDoor{c: c, alerts: &starter.Alerts{Client: c, TaskQueue: r.s.taskQueue, Settings: settings}}
		r.doors = append(r.doors, d)
		router, err := alert.NewRouter(cfg, proc.SeverityLevels())
		if err != nil {
			return err
		}
		door, err := alertdoor.New(alertdoor.Options{Sources: cfg.Tokens(), Router: router, Sink: d.alerts, Logger: r.s.h.logger})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		d.url = "http://" + ln.Addr().String()
		d.srv = &http.Server{Handler: frontdoor.New(frontdoor.Doors{Alerts: door}, nil), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = d.srv.Serve(ln) }()
	}
	// One sender, as Alertmanager is: keep-alive connections to each door.
	r.sender = &http.Client{Timeout: stormSendTimeout, Transport: &http.Transport{
		MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute,
	}}
	for _, d := range r.doors {
		res, err := r.sender.Get(d.url + "/healthz")
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("%s/healthz answered HTTP %d", d.url, res.StatusCode)
		}
	}
	return r.write()
}

// close stops the front doors and their clients, before the stack ends.
func (r *stormRun) close() {
	for _, d := range r.doors {
		if d.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = d.srv.Shutdown(ctx)
			cancel()
		}
		d.c.Close()
	}
	if r.sender != nil {
		r.sender.CloseIdleConnections()
	}
}

// drive sends the plan on its schedule, one notification every
// Duration/Notifications, each to the next door, without waiting for
// answers.
func (r *stormRun) drive(ctx context.Context) {
	n := len(r.plan)
	r.results = make([]stormResult, n)
	every := r.set.Duration / time.Duration(n)
	var wg sync.WaitGroup
	r.load0 = loadAverage()
	r.cpu0, r.t0 = cpuTime(), time.Now()
	for i := range r.plan {
		if d := time.Until(r.t0.Add(time.Duration(i) * every)); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			r.results[i].err = ctx.Err()
			continue
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r.results[i] = r.send(ctx, r.doors[i%len(r.doors)], r.plan[i].body)
		}(i)
	}
	wg.Wait()
	r.sent = time.Now()
}

// send posts one notification as Alertmanager's webhook notifier does and
// times it to the end of the answer.
func (r *stormRun) send(ctx context.Context, d *stormDoor, body []byte) stormResult {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url+"/alerts/alertmanager", bytes.NewReader(body))
	if err != nil {
		return stormResult{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Alertmanager/0.27.0")
	req.Header.Set("Authorization", "Bearer "+stormToken)
	start := time.Now()
	res, err := r.sender.Do(req)
	if err != nil {
		return stormResult{err: err, elapsed: time.Since(start)}
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	return stormResult{status: res.StatusCode, elapsed: time.Since(start), err: err, body: strings.TrimSpace(string(b))}
}

// judge waits for the groups to apply what was acknowledged and for their
// incidents, then adds the rows and notes.
func (r *stormRun) judge(ctx context.Context, fig *figure) {
	var lat, settled []time.Duration
	settledFrom := r.settledFrom()
	acked := make([]int, len(r.groups))
	statuses := map[string]int{}
	var firstRefusal string
	for i, res := range r.results {
		switch {
		case res.acked():
			acked[r.plan[i].group]++
			lat = append(lat, res.elapsed)
			if i >= settledFrom {
				settled = append(settled, res.elapsed)
			}
		case res.err != nil:
			statuses["no answer"]++
		default:
			statuses[fmt.Sprintf("HTTP %d", res.status)]++
			lat = append(lat, res.elapsed)
		}
		if !res.acked() && firstRefusal == "" {
			firstRefusal = fmt.Sprintf("%d %q %v", res.status, res.body, res.err)
		}
	}
	ackedAll := stormSum(acked)
	if len(lat) == 0 {
		fig.Error = "no notification was answered"
		if firstRefusal != "" {
			fig.Error += ": " + firstRefusal
		}
		return
	}

	states, caughtUp := r.awaitGroups(ctx, acked)
	cpu, wall := cpuTime()-r.cpu0, time.Since(r.t0)
	declared := 0
	for _, st := range states {
		if st.IncidentID != "" {
			declared++
		}
	}
	incidents, listErr := r.awaitIncidents(ctx, declared)
	rooms := r.awaitWarRooms(ctx, len(incidents))

	received := make([]int, len(r.groups))
	lost, surplus, changes := 0, 0, 0
	phases := map[wfapi.AlertPhase]int{}
	var mismatched []string
	for g, st := range states {
		received[g] = st.Notifications
		lost += max(acked[g]-st.Notifications, 0)
		surplus += max(st.Notifications-acked[g], 0)
		changes += st.Changes
		phases[st.Phase]++
		if st.IncidentID != "" && !incidents[st.IncidentID] && len(mismatched) < 3 {
			mismatched = append(mismatched, fmt.Sprintf("group %s names incident %s, which no IncidentWorkflow run has", r.groups[g].id, st.IncidentID))
		}
	}

	deadline := ms(alertdoor.DefaultTimeout)
	under := func(limit time.Duration) func(row) bool {
		return func(r row) bool { return r.Value <= ms(limit) }
	}
	fig.add(row{Metric: "ack p50", Value: ms(percentile(lat, 50)), Unit: "ms", Floor: deadline, FloorName: "ms door's deadline"}, nil)
	fig.add(row{Metric: "ack p99", Value: ms(percentile(lat, 99)), Unit: "ms", Floor: deadline, FloorName: "ms door's deadline",
		Target: "≤ 50 ms"}, under(ackTarget))
	if len(settled) > 0 {
		// For reading the p99 above, not a target of its own: the answers
		// while no group was opening its incident.
		fig.add(row{Metric: "ack p99 once every group is open (after its last first notification)", Value: ms(percentile(settled, 99)), Unit: "ms",
			Floor: deadline, FloorName: "ms door's deadline"}, nil)
	}
	fig.add(row{Metric: "ack max", Value: ms(maxOf(lat)), Unit: "ms", Floor: deadline, FloorName: "ms door's deadline",
		Target: "< 2,000 ms"}, func(r row) bool { return r.Value < deadline })
	groups := float64(len(r.groups))
	fig.add(row{Metric: "incidents opened (IncidentWorkflow runs)", Value: float64(len(incidents)), Floor: groups, FloorName: "alert groups",
		Target: fmt.Sprintf("exactly %d", len(r.groups))}, func(r row) bool { return r.Value == groups })
	fig.add(row{Metric: "war rooms opened (Slack emulator)", Value: float64(rooms), Floor: groups, FloorName: "alert groups",
		Target: fmt.Sprintf("exactly %d", len(r.groups))}, func(r row) bool { return r.Value == groups })
	fig.add(row{Metric: "notifications lost (acknowledged, not in their group)", Value: float64(lost), Unit: fmt.Sprintf("of %d acknowledged", ackedAll),
		Target: "0"}, func(r row) bool { return r.Value == 0 })
	notAcked := len(r.results) - ackedAll
	fig.add(row{Metric: "notifications not acknowledged (non-2xx or no answer)", Value: float64(notAcked), Unit: fmt.Sprintf("of %d sent", len(r.results)),
		Target: "0"}, func(r row) bool { return r.Value == 0 })
	if !caughtUp.IsZero() {
		fig.add(row{Metric: "every acknowledged notification applied, after the last answer", Value: caughtUp.Sub(r.sent).Seconds(), Unit: "s"}, nil)
	}
	// Everything runs in this process: server, worker, doors, emulators.
	per := func(d time.Duration) float64 { return ms(d) / float64(len(r.plan)) }
	fig.add(row{Metric: "CPU per notification (all of it in this process)", Value: per(cpu), Unit: "ms",
		Floor: per(time.Duration(runtime.NumCPU()) * wall), FloorName: "ms CPU the machine had per notification"}, nil)
	fig.Failed = lost + stormAbs(len(incidents)-len(r.groups)) + max(len(incidents)-rooms, 0)

	r.explain(fig, received, changes, surplus, phases, statuses, firstRefusal)
	fig.note("CPU: %v in this process from the first send until every group caught up (%v), on %d cores; load average before the storm %s (other processes on the machine share the cores)",
		cpu.Round(10*time.Millisecond), wall.Round(100*time.Millisecond), runtime.NumCPU(), r.load0)
	if listErr != nil {
		fig.note("listing the incidents: %v", listErr)
	}
	for _, m := range mismatched {
		fig.note("%s", m)
	}
}

// explain notes what the storm was made of and how it went.
func (r *stormRun) explain(fig *figure, received []int, changes, surplus int, phases map[wfapi.AlertPhase]int, statuses map[string]int, firstRefusal string) {
	kinds := map[string]int{}
	for _, n := range r.plan {
		kinds[n.kind]++
	}
	loadTime := r.sent.Sub(r.t0)
	fig.note("%d Alertmanager notifications (webhook payload version 4, bearer token) about %d alert groups sent in %s (%.0f/s) round-robin to %d front doors, each frontdoor.New on its own listener with its own alert door and Temporal client, all on one Temporal server and one worker; route: declare",
		len(r.plan), len(r.groups), loadTime.Round(100*time.Millisecond), float64(len(r.plan))/r.set.Duration.Seconds(), len(r.doors))
	fig.note("per notification: %s", stormCounts(kinds))
	lo, hi := slices.Min(received), slices.Max(received)
	fig.note("the groups received %d to %d notifications each; %d changed their group (a timeline entry in the incident each), the rest were repeats or arrived after a later one",
		lo, hi, changes)
	var ph []string
	for p, n := range phases {
		if p == "" {
			p = "unknown (no answer to the query)"
		}
		ph = append(ph, fmt.Sprintf("%s %d", p, n))
	}
	sort.Strings(ph)
	fig.note("group phases at the end: %s", strings.Join(ph, ", "))
	if surplus > 0 {
		fig.note("notifications received beyond those acknowledged: %d (a non-2xx answer whose signal went through, or a duplicate)", surplus)
	}
	if len(statuses) > 0 {
		var st []string
		for s, n := range statuses {
			st = append(st, fmt.Sprintf("%s ×%d", s, n))
		}
		sort.Strings(st)
		fig.note("not acknowledged: %s; first: %s", strings.Join(st, ", "), firstRefusal)
	}
	fig.note("ack latency: from sending the request to reading the whole answer, over keep-alive connections; the floor is the alert door's %v deadline on Temporal, after which it answers 503 for the sender to retry", alertdoor.DefaultTimeout)
	fig.note("incidents: IncidentWorkflow runs on the figure's task queue (visibility), each one a group's; war rooms: incidents with a channel created in the Slack emulator; lost: per group, acknowledged minus the AlertGroupState.Notifications its workflow counted (query, once every group caught up or %v passed), exact when every notification was acknowledged; not acknowledged notifications are not retried (Alertmanager would)", stormCatchUp)
}

// awaitGroups queries each group until it has counted at least the
// notifications acknowledged for it, or stormCatchUp passes; it returns
// the last states and when every group had caught up (zero if not). A
// group none of whose notifications was acknowledged may have no workflow.
func (r *stormRun) awaitGroups(ctx context.Context, acked []int) ([]wfapi.AlertGroupState, time.Time) {
	ctx, cancel := context.WithTimeout(ctx, stormCatchUp)
	defer cancel()
	states := make([]wfapi.AlertGroupState, len(r.groups))
	pending := make([]bool, len(r.groups))
	for g := range pending {
		pending[g] = true
	}
	for {
		var mu sync.Mutex
		left := 0
		_ = forEach(ctx, len(r.groups), 10, func(ctx context.Context, g int) error {
			if !pending[g] {
				return nil
			}
			st, err := r.doors[g%len(r.doors)].alerts.Get(ctx, r.groups[g].id)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				states[g] = st
			}
			if acked[g] == 0 && errors.Is(err, starter.ErrNoAlertGroup) {
				pending[g] = false
				return nil
			}
			if err != nil || st.Notifications < acked[g] {
				left++
				return nil
			}
			pending[g] = false
			return nil
		})
		if left == 0 {
			return states, time.Now()
		}
		select {
		case <-ctx.Done():
			return states, time.Time{}
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// awaitIncidents lists the IncidentWorkflow runs on the figure's task
// queue until there are as many as the groups that declared one (then once
// more, for any surplus), or half a minute passes.
func (r *stormRun) awaitIncidents(ctx context.Context, want int) (map[string]bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	query := fmt.Sprintf("WorkflowType = '%s' AND TaskQueue = '%s'", wfapi.IncidentWorkflowName, r.s.taskQueue)
	list := func() (map[string]bool, error) {
		ids := map[string]bool{}
		var token []byte
		for {
			resp, err := r.s.h.client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
				Query: query, PageSize: 1000, NextPageToken: token,
			})
			if err != nil {
				return ids, err
			}
			for _, ex := range resp.GetExecutions() {
				ids[strings.TrimPrefix(ex.GetExecution().GetWorkflowId(), wfapi.IncidentWorkflowID(""))] = true
			}
			if token = resp.GetNextPageToken(); len(token) == 0 {
				return ids, nil
			}
		}
	}
	var last map[string]bool
	for {
		ids, err := list()
		if err == nil {
			last = ids
		}
		if err == nil && len(ids) >= want {
			// Visibility trails the runs by a moment: look again for more.
			time.Sleep(time.Second)
			if again, err := list(); err == nil {
				last = again
			}
			return last, nil
		}
		select {
		case <-ctx.Done():
			return last, err
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// awaitWarRooms counts the incidents with a war room created in the Slack
// emulator, waiting for want of them or for a minute.
func (r *stormRun) awaitWarRooms(ctx context.Context, want int) int {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		n := 0
		for _, calls := range byIncident(r.s.calls.Calls(), nil) {
			for _, c := range calls {
				if c.Method == "conversations.create" {
					n++
					break
				}
			}
		}
		if n >= want {
			return n
		}
		select {
		case <-ctx.Done():
			return n
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// The storm's groups are alertname × service, like a bad deploy or a
// failing dependency paging for many services at once.
var (
	stormAlertNames = []string{"HighErrorRate", "HighLatency", "PodCrashLooping", "TargetDown", "SaturationHigh"}
	stormServices   = []string{"checkout", "payments", "search", "cart", "auth", "catalog", "shipping", "inventory", "ledger", "gateway"}
)

// stormGroup is one alert group and the alerts it is made of.
type stormGroup struct {
	id        string // alert.IncidentID of its key: its workflow's and incident's
	alertname string
	service   string
	severity  string // page or ticket
	groupKey  string
	instances []stormAlert
	prev      []byte // the last notification written, for repeats
}

// stormAlert is one alert of a group, one per instance.
type stormAlert struct {
	instance    string
	fingerprint string
	firing      bool
	startsAt    time.Time
	endsAt      time.Time
}

// write makes the storm: how many notifications each group gets (uneven,
// as in a real storm, at least one each), their order, and each
// notification's body as Alertmanager would send it at that point of the
// group's life.
func (r *stormRun) write() error {
	rng := rand.New(rand.NewPCG(13, 2026))
	n, g := r.set.Notifications, r.set.Groups
	base := time.Now().UTC().Truncate(time.Second)
	for i := range g {
		name, svc := stormAlertNames[i%len(stormAlertNames)], stormServices[(i/len(stormAlertNames))%len(stormServices)]
		if round := i / (len(stormAlertNames) * len(stormServices)); round > 0 {
			svc = fmt.Sprintf("%s-%d", svc, round+1)
		}
		sg := &stormGroup{alertname: name, service: svc, severity: "ticket"}
		if i%3 == 0 {
			sg.severity = "page"
		}
		sg.groupKey = fmt.Sprintf(`{}/{severity=~"page|ticket"}:{alertname=%q, service=%q}`, name, svc)
		for k := range 4 + rng.IntN(9) {
			a := stormAlert{instance: fmt.Sprintf("%s-%x-%d", svc, 0x5f3a+i, k)}
			a.fingerprint = alert.LabelsFingerprint(sg.labels(a))
			sg.instances = append(sg.instances, a)
		}
		id, err := stormGroupID(sg.groupKey)
		if err != nil {
			return err
		}
		sg.id = id
		r.groups = append(r.groups, sg)
	}

	// Uneven shares: a few noisy groups, many quieter ones.
	counts := make([]int, g)
	weights := make([]float64, g)
	total := 0.0
	for i := range weights {
		weights[i] = 0.3 + rng.ExpFloat64()
		total += weights[i]
	}
	for i := range counts {
		counts[i] = max(1, int(float64(n)*weights[i]/total))
	}
	for stormSum(counts) < n {
		counts[rng.IntN(g)]++
	}
	for stormSum(counts) > n {
		if i := rng.IntN(g); counts[i] > 1 {
			counts[i]--
		}
	}
	order := make([]int, 0, n)
	for i, c := range counts {
		for range c {
			order = append(order, i)
		}
	}
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })

	first, last := make([]int, g), make([]int, g)
	for i := range first {
		first[i] = -1
	}
	for slot, gi := range order {
		if first[gi] < 0 {
			first[gi] = slot
		}
		last[gi] = slot
	}
	// A group resolving whole at its last notification: only one whose
	// first notification went a second (of the schedule) before, so that
	// it arrives after its group's first firing one.
	second := max(n*int(time.Second)/int(r.set.Duration), 1)
	every := r.set.Duration / time.Duration(n)
	for slot, gi := range order {
		sg := r.groups[gi]
		at := base.Add(time.Duration(slot) * every)
		kind := ""
		switch {
		case slot == first[gi]:
			kind = sg.fire(rng, at)
		case slot == last[gi] && gi%4 == 1 && slot-first[gi] >= second:
			kind = sg.resolveAll(at)
		case rng.Float64() < 0.2:
			kind = "repeat"
		default:
			kind = sg.change(rng, at)
		}
		if kind != "repeat" {
			b, err := json.Marshal(sg.message(kind == "all resolved"))
			if err != nil {
				return err
			}
			sg.prev = b
			sg.settle()
		}
		r.plan = append(r.plan, stormNote{group: gi, body: sg.prev, kind: kind})
	}
	return nil
}

// loadAverage is the machine's 1-, 5- and 15-minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// stormGroupID is the group ID the alert door derives from groupKey.
func stormGroupID(groupKey string) (string, error) {
	b, err := json.Marshal(map[string]any{
		"version": "4", "receiver": stormReceiver, "status": "firing", "groupKey": groupKey,
		"alerts": []map[string]any{{"status": "firing", "labels": map[string]string{"alertname": "x"}}},
	})
	if err != nil {
		return "", err
	}
	n, err := alert.ParseAlertmanager(b)
	if err != nil {
		return "", err
	}
	return alert.IncidentID(n.Key()), nil
}

// fire starts the group: one to three of its alerts fire.
func (g *stormGroup) fire(rng *rand.Rand, at time.Time) string {
	for range 1 + rng.IntN(3) {
		g.join(rng, at)
	}
	return "first"
}

// change makes one alert join or resolve, sometimes both; at least one
// alert keeps firing.
func (g *stormGroup) change(rng *rand.Rand, at time.Time) string {
	firing := g.firingCount()
	switch {
	case firing < len(g.instances) && firing > 1 && rng.Float64() < 0.2:
		g.resolveOne(rng, at)
		g.join(rng, at)
		return "join+resolve"
	case firing == len(g.instances) || (firing > 1 && rng.Float64() < 0.45):
		g.resolveOne(rng, at)
		return "resolve"
	default:
		g.join(rng, at)
		return "join"
	}
}

// resolveAll resolves every alert of the group.
func (g *stormGroup) resolveAll(at time.Time) string {
	for i := range g.instances {
		if g.instances[i].firing {
			g.instances[i].firing, g.instances[i].endsAt = false, at
		}
	}
	return "all resolved"
}

func (g *stormGroup) firingCount() int {
	n := 0
	for _, a := range g.instances {
		if a.firing {
			n++
		}
	}
	return n
}

// join makes an alert that isn't firing fire.
func (g *stormGroup) join(rng *rand.Rand, at time.Time) {
	var idle []int
	for i, a := range g.instances {
		if !a.firing {
			idle = append(idle, i)
		}
	}
	if len(idle) == 0 {
		return
	}
	a := &g.instances[idle[rng.IntN(len(idle))]]
	a.firing, a.startsAt, a.endsAt = true, at, time.Time{}
}

// resolveOne resolves a firing alert.
func (g *stormGroup) resolveOne(rng *rand.Rand, at time.Time) {
	var firing []int
	for i, a := range g.instances {
		if a.firing {
			firing = append(firing, i)
		}
	}
	if len(firing) == 0 {
		return
	}
	a := &g.instances[firing[rng.IntN(len(firing))]]
	a.firing, a.endsAt = false, at
}

// settle forgets the end of alerts that resolved: Alertmanager sends a
// resolved alert in the next notification only.
func (g *stormGroup) settle() {
	for i := range g.instances {
		if !g.instances[i].firing {
			g.instances[i].endsAt = time.Time{}
		}
	}
}

// labels are one alert's labels.
func (g *stormGroup) labels(a stormAlert) map[string]string {
	return map[string]string{
		"alertname": g.alertname, "service": g.service, "severity": g.severity,
		"job": g.service, "instance": a.instance, "namespace": "prod",
	}
}

// message is the group's notification now, as Alertmanager's webhook
// notifier sends it (notify/webhook.Message, version 4): the firing
// alerts and those that just resolved.
func (g *stormGroup) message(allResolved bool) alert.AlertmanagerMessage {
	summary := fmt.Sprintf("%s on %s", g.alertname, g.service)
	m := alert.AlertmanagerMessage{
		Receiver: stormReceiver, Status: "firing",
		GroupLabels:       map[string]string{"alertname": g.alertname, "service": g.service},
		CommonLabels:      map[string]string{"alertname": g.alertname, "service": g.service, "severity": g.severity, "job": g.service, "namespace": "prod"},
		CommonAnnotations: map[string]string{"summary": summary, "runbook_url": "https://runbooks.example.com/" + g.service + "/" + strings.ToLower(g.alertname)},
		ExternalURL:       "http://alertmanager.example.com:9093",
		Version:           "4",
		GroupKey:          g.groupKey,
	}
	if allResolved {
		m.Status = "resolved"
	}
	for _, a := range g.instances {
		if !a.firing && a.endsAt.IsZero() {
			continue
		}
		am := alert.AlertmanagerAlert{
			Status: "firing", Labels: g.labels(a),
			Annotations: map[string]string{
				"summary":     summary,
				"description": fmt.Sprintf("%s fires on %s.", g.alertname, a.instance),
				"runbook_url": m.CommonAnnotations["runbook_url"],
			},
			StartsAt: a.startsAt, EndsAt: a.endsAt, Fingerprint: a.fingerprint,
			GeneratorURL: "http://prometheus.example.com:9090/graph?g0.expr=" + g.alertname + "&g0.tab=1",
		}
		if !a.firing {
			am.Status = "resolved"
		}
		m.Alerts = append(m.Alerts, am)
	}
	// Firing first, as Alertmanager's template data sorts them.
	sort.SliceStable(m.Alerts, func(i, j int) bool { return m.Alerts[i].Status == "firing" && m.Alerts[j].Status != "firing" })
	return m
}

// stormCounts writes counts as "a 3, b 2", largest first.
func stormCounts(m map[string]int) string {
	type kv struct {
		k string
		n int
	}
	var kvs []kv
	for k, n := range m {
		kvs = append(kvs, kv{k, n})
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].n > kvs[j].n || kvs[i].n == kvs[j].n && kvs[i].k < kvs[j].k })
	parts := make([]string, len(kvs))
	for i, e := range kvs {
		parts[i] = fmt.Sprintf("%s %d", e.k, e.n)
	}
	return strings.Join(parts, ", ")
}

func stormSum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

func stormAbs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// settledFrom is the first notification sent a second after every
// group's first notification (the one that opens its incident).
func (r *stormRun) settledFrom() int {
	last := 0
	for j, n := range r.plan {
		if n.kind == "first" {
			last = j
		}
	}
	every := r.set.Duration / time.Duration(len(r.plan))
	return last + int(time.Second/every) + 1
}
