package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// EntryPage is the kind of the timeline entries about the incident's
// PagerDuty pages: sent, failed, acknowledged, resolved, who is on call.
const EntryPage = "page"

// MaxPages bounds Incident.Pages: one page per service, and no team pages
// more services than this from one incident.
const MaxPages = 20

// maxPageEvents bounds Incident.PageEvents: PagerDuty redelivers a webhook
// soon after the first delivery, never hundreds of events later.
const maxPageEvents = 100

// MaxOnCall bounds how many people on call one page brings into the war
// room (every escalation level of a large policy is not a war room).
const MaxOnCall = 10

// Page is one PagerDuty page the incident sent (or is still trying to
// send). Its dedup key makes every retry the same PagerDuty alert.
type Page struct {
	// Service is the service paged; "" for the incident's own page of an
	// incident with no service.
	Service string `json:"service,omitempty"`
	// DedupKey is PagerDuty's dedup key of the page.
	DedupKey string `json:"dedup_key"`
	// By is who paged by hand (a Slack user ID, or "" for incidentflow
	// itself: the declaration, a severity raised).
	By string `json:"by,omitempty"`
	// Why says what paged, in words ("declared critical").
	Why string `json:"why,omitempty"`
	// RequestedAt is when the page was asked for, SentAt when PagerDuty
	// took it (zero while it hasn't).
	RequestedAt time.Time `json:"requested_at"`
	SentAt      time.Time `json:"sent_at,omitempty"`
	// RoutedBy says which routing key took it, in words.
	RoutedBy string `json:"routed_by,omitempty"`
	// Told is set once the war room was told the page is failing, so that
	// it is told once, across runs; Failed once incidentflow gave up.
	Told   bool `json:"told,omitempty"`
	Failed bool `json:"failed,omitempty"`
	// Resolved is set once the page's resolution was sent (or given up on).
	Resolved bool `json:"resolved,omitempty"`
}

// Sent reports whether PagerDuty took the page.
func (p Page) Sent() bool { return !p.SentAt.IsZero() }

// Target names what the page woke, for sentences: "the on-call of
// checkout", or "the default on-call". It is plain text: escape it for
// Slack.
func (p Page) Target() string {
	if p.Service == "" {
		return "the default on-call"
	}
	return "the on-call of " + TruncateChars(strings.TrimSpace(p.Service), maxTitleInMessage)
}

// OnCallResponder is one person PagerDuty said was on call, as brought into
// the war room.
type OnCallResponder struct {
	Name string `json:"name"`
	// User is their Slack user ID; "" when Slack has no account with
	// their email.
	User string `json:"user,omitempty"`
	// Level is their escalation level (1 first).
	Level int `json:"level,omitempty"`
	// Service is the service they are on call for.
	Service string `json:"service,omitempty"`
}

// PageOf returns the index in inc.Pages of the page with dedupKey, or -1.
func (inc *Incident) PageOf(dedupKey string) int {
	return slices.IndexFunc(inc.Pages, func(p Page) bool { return p.DedupKey == dedupKey })
}

// CheckRoomForPage refuses one more page past MaxPages.
func (inc *Incident) CheckRoomForPage() error {
	if len(inc.Pages) >= MaxPages {
		return fmt.Errorf("incident %s has paged %d services already, the most one incident may; page more from PagerDuty itself", inc.Declaration.ID, MaxPages)
	}
	return nil
}

// RecordPageEvent notes PagerDuty event id as seen and reports whether it
// is new: a webhook delivered twice is recorded once, even across
// continue-as-new. It keeps the latest maxPageEvents IDs.
func (inc *Incident) RecordPageEvent(id string) bool {
	if slices.Contains(inc.PageEvents, id) {
		return false
	}
	inc.PageEvents = append(inc.PageEvents, id)
	if over := len(inc.PageEvents) - maxPageEvents; over > 0 {
		inc.PageEvents = slices.Delete(inc.PageEvents, 0, over)
	}
	return true
}

// FirstPageAt is when the first page PagerDuty took was sent, and whether
// there is one.
func (inc *Incident) FirstPageAt() (time.Time, bool) {
	var first time.Time
	for _, p := range inc.Pages {
		if p.Sent() && (first.IsZero() || p.SentAt.Before(first)) {
			first = p.SentAt
		}
	}
	return first, !first.IsZero()
}

// TimeToAcknowledgePage is the time from the first page to its first
// acknowledgement in PagerDuty, and whether both happened.
func (inc *Incident) TimeToAcknowledgePage() (time.Duration, bool) {
	first, ok := inc.FirstPageAt()
	if !ok || inc.PageAcknowledgedAt.IsZero() {
		return 0, false
	}
	return max(inc.PageAcknowledgedAt.Sub(first), 0), true
}

// PageEventText is the timeline entry of a PagerDuty event: "paged:
// acknowledged by Ava at 02:14". by is who acted ("" when PagerDuty didn't
// say).
func PageEventText(kind, by string, at time.Time, loc *time.Location) string {
	s := "paged: " + Clean(kind)
	if by = strings.TrimSpace(Clean(by)); by != "" {
		s += " by " + TruncateChars(by, MaxName)
	}
	return s + " at " + Clock(at, loc)
}

// OnCallLine names the people on call, for the kickoff and the war room:
// "<@U1> (level 1), Ava Lee (level 2, no Slack account)".
func OnCallLine(people []OnCallResponder) string {
	parts := make([]string, 0, len(people))
	for _, p := range people {
		var who string
		var notes []string
		if p.User != "" {
			who = Mention(p.User)
		} else {
			who = safe(p.Name, maxTitleInMessage)
			notes = append(notes, "no Slack account")
		}
		if p.Level > 0 {
			notes = append([]string{fmt.Sprintf("level %d", p.Level)}, notes...)
		}
		if len(notes) > 0 {
			who += " (" + strings.Join(notes, ", ") + ")"
		}
		parts = append(parts, who)
	}
	return strings.Join(parts, ", ")
}
