package incident

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Incident is the whole state of one incident as its workflow holds it. It is
// what the status query returns and what continue-as-new carries over.
type Incident struct {
	Declaration Declaration `json:"declaration"`

	Severity  Severity `json:"severity"`
	Status    Status   `json:"status"`
	Commander string   `json:"commander,omitempty"`
	Comms     string   `json:"comms,omitempty"`

	// ChannelID and ChannelName name the war room once it exists.
	ChannelID   string `json:"channel_id,omitempty"`
	ChannelName string `json:"channel_name,omitempty"`
	// Kickoff is the pinned kickoff message in the war room.
	Kickoff MessageRef `json:"kickoff,omitempty"`
	// Announcements are the posts in the announce channels, where the
	// resolution is announced again.
	Announcements []MessageRef `json:"announcements,omitempty"`

	Timeline        []TimelineEntry  `json:"timeline"`
	Updates         []StatusUpdate   `json:"updates,omitempty"`
	ActionItems     []ActionItem     `json:"action_items,omitempty"`
	SeverityHistory []SeverityChange `json:"severity_history,omitempty"`

	// OmittedUpdates and OmittedTimeline count the older status updates
	// and timeline entries Compact dropped to keep the state small;
	// OmittedByKind counts the dropped entries by kind, and EarlierActors
	// names everyone who acted in them, in order of first appearance. The
	// dropped entries aren't lost: every update and reminder was posted in
	// the war room, and the earlier runs' histories hold them.
	OmittedUpdates  int            `json:"omitted_updates,omitempty"`
	OmittedTimeline int            `json:"omitted_timeline,omitempty"`
	OmittedByKind   map[string]int `json:"omitted_by_kind,omitempty"`
	EarlierActors   []string       `json:"earlier_actors,omitempty"`

	// AlertKeys are the latest alert-group changes recorded (at most
	// maxAlertKeys), so that a change delivered twice, even across
	// continue-as-new, is recorded once.
	AlertKeys []string `json:"alert_keys,omitempty"`

	// StatusPage is what the incident put on the public status page; nil
	// until someone publishes it (never automatically).
	StatusPage *StatusPage `json:"status_page,omitempty"`

	// NextUpdateBy is when the next status update is due.
	NextUpdateBy time.Time `json:"next_update_by,omitempty"`
	// MissedReminders counts reminders in a row with no update between.
	MissedReminders int `json:"missed_reminders,omitempty"`

	// Pages are the PagerDuty pages the incident sent or is sending (at
	// most MaxPages); resolving the incident resolves each. PageEvents are
	// the IDs of the latest PagerDuty events recorded (RecordPageEvent);
	// PageAcknowledgedAt is when PagerDuty first said a page was
	// acknowledged, the end of the time to acknowledge the page
	// (TimeToAcknowledgePage). OnCall are the people PagerDuty said were on
	// call, brought into the war room.
	Pages              []Page            `json:"pages,omitempty"`
	PageEvents         []string          `json:"page_events,omitempty"`
	PageAcknowledgedAt time.Time         `json:"page_acknowledged_at,omitempty"`
	OnCall             []OnCallResponder `json:"on_call,omitempty"`

	AcknowledgedAt time.Time `json:"acknowledged_at,omitempty"`
	MitigatedAt    time.Time `json:"mitigated_at,omitempty"`
	ResolvedAt     time.Time `json:"resolved_at,omitempty"`
	Resolution     string    `json:"resolution,omitempty"`
	ResolvedBy     string    `json:"resolved_by,omitempty"`
}

// TimelineEntry is one thing that happened during an incident: who did what,
// when.
type TimelineEntry struct {
	At    time.Time `json:"at"`
	Actor string    `json:"actor,omitempty"` // Slack user ID; empty for incidentflow itself
	Kind  string    `json:"kind"`            // declared, update, severity, role, reminder, escalation, action, resolved, ...
	Text  string    `json:"text"`
	// Message is set on an EntryMessage entry: the marked war-room message.
	Message *MarkedMessage `json:"message,omitempty"`
}

// Timeline entry kinds.
const (
	EntryDeclared   = "declared"
	EntryWarRoom    = "war_room"
	EntryUpdate     = "update"
	EntrySeverity   = "severity"
	EntryRole       = "role"
	EntryReminder   = "reminder"
	EntryEscalation = "escalation"
	EntryAction     = "action"
	EntryResolved   = "resolved"
	EntryNote       = "note"
	// EntryAlert records what changed in the alert group the incident was
	// declared from.
	EntryAlert = "alert"
	// EntryDrill records what a drill played: an inject, a hint, a
	// status-page draft, the debrief.
	EntryDrill = "drill"
)

// New returns the initial state of the incident d declares.
func New(d Declaration) Incident {
	if d.Kind == "" {
		d.Kind = KindIncident
	}
	commander := d.Commander
	if commander == "" {
		commander = d.Declarer
	}
	d.Commander = commander
	return Incident{
		Declaration: d,
		Severity:    d.Severity,
		Status:      Investigating,
		Commander:   commander,
		Timeline: []TimelineEntry{{
			At: d.DeclaredAt, Actor: d.Declarer, Kind: EntryDeclared,
			Text: "declared " + string(d.Severity) + " " + string(d.Kind) + ": " + d.Title,
		}},
	}
}

// maxUpdateEntryText bounds the text of an EntryUpdate timeline entry, in
// bytes: the status update itself, in Updates, keeps the whole text.
const maxUpdateEntryText = 160

// Record appends an entry to the timeline and returns its number: its
// position among every entry ever recorded, those Compact dropped included
// and marked messages (which come and go) left out, so unique within the
// incident. An EntryUpdate entry keeps only the start of its text, on one
// line: Updates has all of it.
func (inc *Incident) Record(at time.Time, actor, kind, text string) int {
	if kind == EntryUpdate {
		text = Truncate(strings.Join(strings.Fields(text), " "), maxUpdateEntryText)
	}
	inc.Timeline = append(inc.Timeline, TimelineEntry{At: at, Actor: actor, Kind: kind, Text: text})
	return inc.OmittedTimeline + len(inc.Timeline) - inc.markedCount() - 1
}

// EntryCount counts the timeline entries of kind ever recorded, those
// Compact dropped included.
func (inc *Incident) EntryCount(kind string) int {
	n := inc.OmittedByKind[kind]
	for _, e := range inc.Timeline {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// IsResolved reports whether the incident is resolved.
func (inc *Incident) IsResolved() bool { return inc.Status == Resolved }

// Participants returns everyone who holds a role or appears in the timeline
// (EarlierActors included), in order of first appearance, without
// duplicates.
func (inc *Incident) Participants() []string {
	seen := map[string]bool{}
	var out []string
	add := func(u string) {
		if u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	add(inc.Commander)
	add(inc.Comms)
	add(inc.Declaration.Declarer)
	for _, a := range inc.EarlierActors {
		add(a)
	}
	for _, e := range inc.Timeline {
		add(e.Actor)
	}
	return out
}

// Durations are the response-time figures of a resolved incident.
type Durations struct {
	ToAcknowledge time.Duration `json:"to_acknowledge"`
	ToMitigate    time.Duration `json:"to_mitigate"`
	ToResolve     time.Duration `json:"to_resolve"`
}

// Durations measures the time from declaration to acknowledgement, to
// mitigation (the first mitigated update, or the resolution) and to
// resolution. A step that hasn't happened yet measures zero.
func (inc *Incident) Durations() Durations {
	start := inc.Declaration.DeclaredAt
	since := func(t time.Time) time.Duration {
		if t.IsZero() || start.IsZero() {
			return 0
		}
		return t.Sub(start)
	}
	mitigated := inc.MitigatedAt
	if mitigated.IsZero() {
		mitigated = inc.ResolvedAt
	}
	return Durations{
		ToAcknowledge: since(inc.AcknowledgedAt),
		ToMitigate:    since(mitigated),
		ToResolve:     since(inc.ResolvedAt),
	}
}

// TimeToMitigate is the time from the declaration to the mitigation, and
// whether anyone recorded a mitigation: when nobody did, Durations counts
// the resolution instead, a figure nobody measured.
func (inc *Incident) TimeToMitigate() (time.Duration, bool) {
	if inc.MitigatedAt.IsZero() {
		return 0, false
	}
	return inc.Durations().ToMitigate, true
}

// Limits bound the status updates and timeline entries Compact keeps: at
// most Updates updates whose JSON encoding takes at most UpdateBytes bytes,
// and at most Timeline entries within TimelineBytes.
type Limits struct {
	Updates       int
	UpdateBytes   int
	Timeline      int
	TimelineBytes int
}

// DefaultLimits are the limits the incident workflow compacts its state to
// before it continues as new, which keep the state it carries well under
// Temporal's 2 MiB payload limit however long the incident lasts.
//
// A critical incident brings about 100 status updates or reminders a day
// (one every 15 minutes), so the counts keep the last five to ten days: with
// updates of a sentence or two that is under 200 KiB. The byte budgets take
// over when texts are long. The worst case, with every text at 4,000
// characters (more than the MaxText every door and validator allows) and
// every character one that JSON escapes to six bytes ("<", ">", "&"), so
// 24 KB a text:
//
//   - the updates kept: 384 KiB (about 16 such updates; the first update
//     of each status, which Compact always keeps, count against it);
//   - the timeline kept: 256 KiB (an update's entry keeps only the start of
//     its text);
//   - the rest of the incident — declaration, resolution, roles,
//     announcements, the names in EarlierActors — about 50 KiB;
//   - each action item and severity change, which Compact never drops:
//     24 KiB;
//   - the marked messages, which Compact never drops either and which
//     count against neither budget: at most MaxMarkedBytes (256 KiB) of
//     JSON together, however many and long they are (CheckMark refuses a
//     mark beyond it).
//
// That is 946 KiB plus 24 KiB an action item or severity change: about
// 1.4 MiB with ten of each (MaxActionItems, MaxSeverityChanges), which a
// unit test holds under 1.5 MiB. The run's input, the retrospective's input
// and the incident query add the declaration again (under 50 KiB) and the
// process: the same test holds them under 1.6 MiB, well below Temporal's
// 2 MiB. Within a run, whose state Compact doesn't bound, the workflow
// hands the retrospective, its queries and its result a compacted copy
// (Compacted).
var DefaultLimits = Limits{Updates: 500, UpdateBytes: 384 << 10, Timeline: 1000, TimelineBytes: 256 << 10}

// Compact bounds the state the incident carries from one workflow run to the
// next: it keeps the most recent status updates and timeline entries within
// l, and drops the older ones, counting them in OmittedUpdates,
// OmittedTimeline and OmittedByKind and keeping the people who acted in
// them in EarlierActors (so that Participants still names them). It always
// keeps what the postmortem reads from older entries: the first update of
// each status (the resolution steps; the first "identified" one is the root
// cause), the declaration and the opening of the war room. Everything else
// — the marked messages (which count against neither limit), severity
// history, action items, roles, announcements, the kickoff — stays as it
// is. The workflow calls it right before continuing as new.
func (inc *Incident) Compact(l Limits) {
	firstOfStatus := map[Status]bool{}
	keepUpdates := keepRecent(inc.Updates, l.Updates, l.UpdateBytes, func(u StatusUpdate) bool {
		first := !firstOfStatus[u.Status]
		firstOfStatus[u.Status] = true
		return first
	})
	firstOfKind := map[string]bool{}
	var recorded []TimelineEntry // every entry but the marked messages, which stay
	for _, e := range inc.Timeline {
		if e.Message == nil {
			recorded = append(recorded, e)
		}
	}
	keepRecorded := keepRecent(recorded, l.Timeline, l.TimelineBytes, func(e TimelineEntry) bool {
		first := (e.Kind == EntryDeclared || e.Kind == EntryWarRoom) && !firstOfKind[e.Kind]
		firstOfKind[e.Kind] = true
		return first
	})

	var updates []StatusUpdate
	for i, u := range inc.Updates {
		if keepUpdates[i] {
			updates = append(updates, u)
		} else {
			inc.OmittedUpdates++
		}
	}
	inc.Updates = updates

	actors := map[string]bool{}
	for _, a := range inc.EarlierActors {
		actors[a] = true
	}
	timeline := []TimelineEntry{}
	for _, e := range inc.Timeline {
		keep := e.Message != nil
		if !keep {
			keep, keepRecorded = keepRecorded[0], keepRecorded[1:]
		}
		if keep {
			timeline = append(timeline, e)
			continue
		}
		inc.OmittedTimeline++
		if inc.OmittedByKind == nil {
			inc.OmittedByKind = map[string]int{}
		}
		inc.OmittedByKind[e.Kind]++
		if e.Actor != "" && !actors[e.Actor] {
			actors[e.Actor] = true
			inc.EarlierActors = append(inc.EarlierActors, e.Actor)
		}
	}
	inc.Timeline = timeline
}

// keepRecent marks which of items to keep: the pinned ones (pinned sees
// every item, oldest first), then, newest first, the most recent others
// while the kept items number at most n and their JSON encoding takes at
// most size bytes. Pinned items count against both limits but are kept
// even when they exceed them.
func keepRecent[T interface{ encodedSize() int }](items []T, n, size int, pinned func(T) bool) []bool {
	keep := make([]bool, len(items))
	count, bytes := 0, 0
	for i, it := range items {
		if pinned(it) {
			keep[i] = true
			count++
			bytes += it.encodedSize()
		}
	}
	for i := len(items) - 1; i >= 0; i-- {
		if keep[i] {
			continue
		}
		s := items[i].encodedSize()
		if count >= n || bytes+s > size {
			break
		}
		keep[i] = true
		count++
		bytes += s
	}
	return keep
}

// encodedSize bounds from above the size of u in a JSON array, as
// Temporal's data converter (encoding/json) writes it: its strings, and 128
// bytes for the field names, the two times and a comma. It counts without
// encoding, because encoding/json is no workflow code: workflowcheck flags
// its type caches.
func (u StatusUpdate) encodedSize() int {
	return 128 + jsonLen(u.Author) + jsonLen(string(u.Status)) + jsonLen(u.Text)
}

// encodedSize bounds from above the size of e in a JSON array: its
// strings, and 70 bytes for the field names, the time and a comma, and its
// marked message's.
func (e TimelineEntry) encodedSize() int {
	n := 70 + jsonLen(e.Actor) + jsonLen(e.Kind) + jsonLen(e.Text)
	if e.Message != nil {
		n += e.Message.encodedSize()
	}
	return n
}

// encodedSize bounds from above the size of m as a timeline entry's field:
// its strings, 100 bytes for the field names and flags, 20 more a file and
// 16 a mark.
func (m *MarkedMessage) encodedSize() int {
	n := 100 + jsonLen(m.Channel) + jsonLen(m.TS) + jsonLen(m.Permalink)
	for _, f := range m.Files {
		n += 20 + jsonLen(f.Name) + jsonLen(f.URL)
	}
	for _, k := range m.Marks {
		n += 16 + jsonLen(k.By) + jsonLen(string(k.Via))
	}
	return n
}

// jsonLen is the length of s as a JSON string the way encoding/json writes
// it: quoted, with "<", ">", "&", U+2028, U+2029, control characters and
// invalid UTF-8 escaped.
func jsonLen(s string) int {
	n := 2
	for i, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t' || r == '\b' || r == '\f':
			n += 2
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029':
			n += 6
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				n += 6 // written as \ufffd
			} else {
				n += size
			}
		default:
			n += utf8.RuneLen(r)
		}
	}
	return n
}

// maxAlertKeys bounds Incident.AlertKeys: a retry comes soon after its
// first delivery, long before this many later changes.
const maxAlertKeys = 200

// RememberAlertKey records that the alert change key was recorded, and
// reports false when it was already.
func (inc *Incident) RememberAlertKey(key string) bool {
	if slices.Contains(inc.AlertKeys, key) {
		return false
	}
	inc.AlertKeys = append(inc.AlertKeys, key)
	if over := len(inc.AlertKeys) - maxAlertKeys; over > 0 {
		inc.AlertKeys = slices.Delete(inc.AlertKeys, 0, over)
	}
	return true
}

// Earliest is the earlier of a and b, a zero time meaning "not yet".
func Earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}
