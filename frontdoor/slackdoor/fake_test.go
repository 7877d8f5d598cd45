package slackdoor

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// fakeOps is an in-memory IncidentOps: what the front door asked Temporal to
// do, and incidents it can find by war-room channel.
type fakeOps struct {
	mu        sync.Mutex
	incidents map[string]*incident.Incident
	byChannel map[string]string
	declares  []incident.Declaration // every Declare call, repeats included
	calls     []fakeCall
	// block, when set, makes every call wait for ctx to end (a Temporal that
	// doesn't answer) and fail the way Incidents does.
	block atomic.Bool
	// fail, when set, is returned by every call.
	fail error
	// delay, when set, makes every call take that long (a slow Temporal)
	// before it answers (or fails with fail).
	delay atomic.Int64
	// onDeclare plays the workflow's part (e.g. creating a war room).
	onDeclare func(d incident.Declaration) (channelID string)
	// lookups counts ByChannel calls.
	lookups atomic.Int64
	// marked holds the marked messages by channel/ts: what MarkMessage
	// plays of the workflow.
	marked  map[string]bool
	updates updateIDs
}

// updateIDs plays Temporal's part in applying a request once: an update
// whose ID (starter.WithUpdateID) was seen before isn't applied again, and
// its repeat is answered as the first was.
type updateIDs struct {
	mu   sync.Mutex
	seen map[string]bool
	// sent are the update IDs of every change asked for, repeats included
	// ("" for one sent without).
	sent []string
}

// first records the update ID of ctx and reports whether the change it
// names is to be applied: it has no ID, or one not seen before.
func (u *updateIDs) first(ctx context.Context) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	id := starter.UpdateID(ctx)
	u.sent = append(u.sent, id)
	if id == "" {
		return true
	}
	if u.seen == nil {
		u.seen = map[string]bool{}
	}
	if u.seen[id] {
		return false
	}
	u.seen[id] = true
	return true
}

// ids returns the update IDs sent so far.
func (u *updateIDs) ids() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.sent...)
}

// markCall is the argument of a recorded MarkMessage call.
type markCall struct {
	Key  string
	Mark incident.MessageMark
}

type fakeCall struct {
	Op  string
	ID  string
	Arg any
}

func newFakeOps() *fakeOps {
	return &fakeOps{incidents: map[string]*incident.Incident{}, byChannel: map[string]string{}}
}

// add registers an open incident with its war room.
func (f *fakeOps) add(d incident.Declaration, channelID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	inc := incident.New(d)
	inc.ChannelID = channelID
	f.incidents[d.ID] = &inc
	if channelID != "" {
		f.byChannel[channelID] = d.ID
	}
}

func (f *fakeOps) wait(ctx context.Context) error {
	if d := time.Duration(f.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return fmt.Errorf("%w right now (%v); try again in a minute", starter.ErrUnavailable, ctx.Err())
		}
	}
	if f.fail != nil {
		return f.fail
	}
	if f.block.Load() {
		<-ctx.Done()
		return fmt.Errorf("%w right now (%v); try again in a minute", starter.ErrUnavailable, ctx.Err())
	}
	return nil
}

func (f *fakeOps) record(op, id string, arg any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{op, id, arg})
}

// callsOf returns the calls of op.
func (f *fakeOps) callsOf(op string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeOps) Declare(ctx context.Context, d incident.Declaration, wait bool) (incident.WarRoom, error) {
	if err := f.wait(ctx); err != nil {
		return incident.WarRoom{}, err
	}
	f.mu.Lock()
	f.declares = append(f.declares, d)
	_, exists := f.incidents[d.ID]
	f.mu.Unlock()
	room := incident.WarRoom{ID: d.ID, WorkflowID: wfapi.IncidentWorkflowID(d.ID)}
	if exists {
		return room, nil
	}
	channel := ""
	if f.onDeclare != nil {
		channel = f.onDeclare(d)
	}
	f.add(d, channel)
	room.ChannelID = channel
	return room, nil
}

func (f *fakeOps) change(ctx context.Context, op, id string, arg any, apply func(*incident.Incident)) error {
	if err := f.wait(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	inc, ok := f.incidents[id]
	if !ok {
		return fmt.Errorf("incident %s: %w", id, starter.ErrNotFound)
	}
	if !f.updates.first(ctx) {
		return nil
	}
	f.calls = append(f.calls, fakeCall{op, id, arg})
	apply(inc)
	return nil
}

func (f *fakeOps) PostStatus(ctx context.Context, id string, req wfapi.PostStatusRequest) error {
	return f.change(ctx, "PostStatus", id, req, func(inc *incident.Incident) {
		inc.Status = req.Status
		inc.Updates = append(inc.Updates, incident.StatusUpdate{At: time.Now(), Author: req.Author, Status: req.Status, Text: req.Text})
	})
}

func (f *fakeOps) SetSeverity(ctx context.Context, id string, req wfapi.SetSeverityRequest) error {
	return f.change(ctx, "SetSeverity", id, req, func(inc *incident.Incident) { inc.Severity = req.Severity })
}

func (f *fakeOps) AssignRole(ctx context.Context, id string, req wfapi.AssignRoleRequest) error {
	return f.change(ctx, "AssignRole", id, req, func(inc *incident.Incident) {
		if req.Role == incident.Commander {
			inc.Commander = req.User
		} else {
			inc.Comms = req.User
		}
	})
}

func (f *fakeOps) AddActionItem(ctx context.Context, id string, req wfapi.AddActionItemRequest) error {
	return f.change(ctx, "AddActionItem", id, req, func(inc *incident.Incident) {
		inc.ActionItems = append(inc.ActionItems, incident.ActionItem{Text: req.Text, Owner: req.Owner, Due: req.Due, Author: req.By})
	})
}

func (f *fakeOps) Resolve(ctx context.Context, id string, req wfapi.ResolveRequest) error {
	return f.change(ctx, "Resolve", id, req, func(inc *incident.Incident) {
		inc.Status = incident.Resolved
		inc.Resolution = req.Summary
		inc.ResolvedAt = time.Now()
		delete(f.byChannel, inc.ChannelID) // no longer an open incident
	})
}

func (f *fakeOps) Get(ctx context.Context, id string) (incident.Incident, error) {
	if err := f.wait(ctx); err != nil {
		return incident.Incident{}, err
	}
	f.record("Get", id, nil)
	f.mu.Lock()
	defer f.mu.Unlock()
	inc, ok := f.incidents[id]
	if !ok {
		return incident.Incident{}, fmt.Errorf("incident %s: %w", id, starter.ErrNotFound)
	}
	return *inc, nil
}

func (f *fakeOps) ByChannel(ctx context.Context, channelID string) (string, error) {
	f.lookups.Add(1)
	if err := f.wait(ctx); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.byChannel[channelID]
	if !ok {
		return "", starter.ErrNotFound
	}
	return id, nil
}

func (f *fakeOps) List(ctx context.Context) ([]starter.Summary, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []starter.Summary
	for id, inc := range f.incidents {
		if inc.IsResolved() {
			continue
		}
		out = append(out, starter.Summary{ID: id, WorkflowID: wfapi.IncidentWorkflowID(id), Severity: string(inc.Severity),
			Status: string(inc.Status), Commander: inc.Commander, Kind: string(incident.KindIncident),
			ChannelID: inc.ChannelID, Title: inc.Declaration.Title, StartedAt: inc.Declaration.DeclaredAt, Security: inc.Declaration.Security})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// fakeRetro records the retrospective's buttons.
type fakeRetro struct {
	mu      sync.Mutex
	items   map[string][]incident.ActionItem
	done    []string
	updates updateIDs
}

func (r *fakeRetro) AddActionItems(ctx context.Context, id string, items []incident.ActionItem) error {
	if !r.updates.first(ctx) {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.items == nil {
		r.items = map[string][]incident.ActionItem{}
	}
	r.items[id] = append(r.items[id], items...)
	return nil
}

func (r *fakeRetro) MarkDone(ctx context.Context, id, by string) error {
	if !r.updates.first(ctx) {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = append(r.done, id+" by "+by)
	return nil
}

// fakeMaintenance records the maintenance buttons.
type fakeMaintenance struct {
	mu      sync.Mutex
	done    []string
	updates updateIDs
}

func (m *fakeMaintenance) Complete(ctx context.Context, id, by string) error {
	if !m.updates.first(ctx) {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done = append(m.done, "complete "+id+" by "+by)
	return nil
}

func (m *fakeMaintenance) Promote(ctx context.Context, id, by string) error {
	if !m.updates.first(ctx) {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done = append(m.done, "promote "+id+" by "+by)
	return nil
}

// count is the number of calls recorded, declarations included.
func (f *fakeOps) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls) + len(f.declares)
}

// MarkMessage plays the workflow's validator and handler: a mark on a
// message adds it (or finds it there), and an edit, deletion or removal of
// a message that isn't marked is refused with a sentence.
func (f *fakeOps) MarkMessage(ctx context.Context, id, key string, req wfapi.MarkMessageRequest) (incident.MarkOutcome, error) {
	m := req.Mark
	var out incident.MarkOutcome
	err := f.change(ctx, "MarkMessage", id, markCall{key, m}, func(*incident.Incident) {
		msg := m.Channel + "/" + m.TS
		if f.marked == nil {
			f.marked = map[string]bool{}
		}
		switch {
		case m.Action == incident.MarkAdd && f.marked[msg]:
			out = incident.MarkAlready
		case m.Action == incident.MarkAdd:
			f.marked[msg], out = true, incident.MarkAdded
		case !f.marked[msg]:
		case m.Action == incident.MarkRemove:
			delete(f.marked, msg)
			out = incident.MarkRemoved
		case m.Action == incident.MarkEdit:
			out = incident.MarkEdited
		default:
			out = incident.MarkDeleted
		}
	})
	if err == nil && out == "" {
		return "", temporal.NewApplicationError("that message isn't in the timeline", "refused")
	}
	return out, err
}
