package incident

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The bounds of every field incidentflow takes in, in characters (runes),
// the unit Slack counts in. Every door (the Slack forms, the CLI, the
// starter) and every validator of the incident workflow checks them with
// CheckText and CheckDeclaration, and the messages show that much of each
// text, so what a responder may type is what Slack shows. With them, and
// with Compact, no payload of a workflow can grow past Temporal's limit (see
// DefaultLimits).
const (
	// MaxTitle bounds an incident's title: what Slack's declare form allows.
	MaxTitle = 150
	// MaxText bounds every free text: a summary, a status update, a
	// resolution, the reason of a severity change, an action item. It is
	// what Slack's forms allow in a text field.
	MaxText = 3000
	// MaxName bounds a name or an ID that travels in a request: a person
	// (a Slack user ID, an email, "the CLI on host h"), a role, a service,
	// a severity, a channel, an action item's owner, key and due date, an
	// incident or alert-group ID.
	MaxName = 100
	// MaxLink bounds a link: the permalink of the message an incident was
	// declared from.
	MaxLink = 1000
)

// The bounds of the time to the next status update a responder may ask
// for instead of the severity's cadence: the Slack form's and the CLI's
// --next.
const (
	MinNextUpdate = time.Minute
	MaxNextUpdate = 24 * time.Hour
)

// The bounds of the lists Compact keeps whole, so that the state an
// incident carries is bounded however its responders use it.
const (
	// MaxActionItems is how many action items one incident records while
	// it is open; the retrospective takes more.
	MaxActionItems = 10
	// MaxSeverityChanges is how many times one incident's severity may
	// change.
	MaxSeverityChanges = 10
	// MaxRetroItems is how many action items one retrospective follows,
	// those recorded during the incident included.
	MaxRetroItems = 20
)

// CheckText refuses s when it is longer than max characters, with a
// sentence that names field as a responder knows it ("the status update")
// and says what to do: "the status update is 120,000 characters;
// incidentflow keeps at most 3,000 — shorten it or link to a document".
func CheckText(field, s string, max int) error {
	n := utf8.RuneCountInString(s)
	if n <= max {
		return nil
	}
	fix := "shorten it"
	switch max {
	case MaxTitle:
		fix = "shorten it and put the details in the summary"
	case MaxText:
		fix = "shorten it or link to a document"
	}
	return fmt.Errorf("%s is %s characters; incidentflow keeps at most %s — %s", field, thousands(n), thousands(max), fix)
}

// CheckName is CheckText with MaxName, for the names and IDs a request
// carries.
func CheckName(field, s string) error { return CheckText(field, s, MaxName) }

// field is one text of a declaration, named as a responder knows it, and
// its bound.
type field struct {
	name, value string
	max         int
}

// CheckDeclaration refuses a declaration without a title or with a field
// over its bound, with CheckText's sentence for the first such field. The
// starter checks it before it starts an incident, and the incident
// workflow before it opens a war room.
func CheckDeclaration(d Declaration) error {
	if strings.TrimSpace(d.Title) == "" {
		return errors.New("an incident needs a title: say what is broken in a few words")
	}
	for _, f := range []field{
		{"the incident ID", d.ID, MaxName},
		{"the title", d.Title, MaxTitle},
		{"the summary", d.Summary, MaxText},
		{"the severity", string(d.Severity), MaxName},
		{"the service", d.Service, MaxName},
		{"the commander", d.Commander, MaxName},
		{"the declarer", d.Declarer, MaxName},
		{"the declared-via text", d.DeclaredVia, MaxName},
		{"the kind", string(d.Kind), MaxName},
		{"the origin channel", d.OriginChannel, MaxName},
		{"the source message link", d.SourceMessage, MaxLink},
		{"the source", string(d.Source), MaxName},
		{"the alerts text", d.AlertsText, MaxAlertsText},
		{"the alerts markdown", d.AlertsMarkdown, MaxAlertsText},
		{"the alert group", d.AlertGroup, MaxName},
	} {
		if err := CheckText(f.name, f.value, f.max); err != nil {
			return err
		}
	}
	return nil
}

// CheckRoomForActionItem refuses an action item beyond MaxActionItems.
func (inc *Incident) CheckRoomForActionItem() error {
	if len(inc.ActionItems) >= MaxActionItems {
		return fmt.Errorf("incident %s already has %d action items, the most incidentflow records while an incident is open — combine some, or add more in the retrospective once it is resolved",
			inc.Declaration.ID, MaxActionItems)
	}
	return nil
}

// CheckRoomForSeverityChange refuses a severity change beyond
// MaxSeverityChanges.
func (inc *Incident) CheckRoomForSeverityChange() error {
	if len(inc.SeverityHistory) >= MaxSeverityChanges {
		return fmt.Errorf("incident %s has changed severity %d times, the most incidentflow records — keep it at %s and say what changed in a status update",
			inc.Declaration.ID, MaxSeverityChanges, inc.Severity)
	}
	return nil
}

// Compacted returns a copy of inc compacted to l (see Compact), leaving
// inc as it is: the bounded form of an incident a payload carries while
// the workflow keeps the whole of it until it continues as new.
func (inc *Incident) Compacted(l Limits) Incident {
	c := *inc
	// Compact builds new update and timeline lists, but counts into the
	// map and appends to the list of earlier actors: give the copy its own.
	c.OmittedByKind = maps.Clone(inc.OmittedByKind)
	c.EarlierActors = slices.Clip(inc.EarlierActors)
	c.Compact(l)
	return c
}

// TruncateChars cuts s to at most n characters, ending with "…" when cut.
func TruncateChars(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// thousands writes n with commas between groups of three digits: 120,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
