package incident

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// MaintenancePolicy is the maintenance part of the configuration
// (maintenance.*). It has the fields of config.MaintenancePolicy, so one
// converts to the other.
type MaintenancePolicy struct {
	// UpdateEvery is the reminder cadence while a window runs.
	UpdateEvery time.Duration `json:"update_every"`
	// HeadsUp are the offsets before the start at which the announce
	// channels hear of a window.
	HeadsUp []time.Duration `json:"heads_up"`
	// Grace is how long after the planned end the lead has to confirm
	// completion before the window counts as overrunning.
	Grace time.Duration `json:"grace"`
	// MaxDuration bounds a window's planned duration.
	MaxDuration time.Duration `json:"max_duration"`
}

// DefaultMaintenancePolicy is the policy of a first run: reminders every
// 30 minutes, heads-ups 24 hours and 1 hour before, 15 minutes' grace, and
// windows of at most 12 hours.
func DefaultMaintenancePolicy() MaintenancePolicy {
	return MaintenancePolicy{
		UpdateEvery: 30 * time.Minute,
		HeadsUp:     []time.Duration{24 * time.Hour, time.Hour},
		Grace:       15 * time.Minute,
		MaxDuration: 12 * time.Hour,
	}
}

// Window is a planned maintenance window, or the first of a recurring
// series of them. Users are Slack user IDs.
type Window struct {
	// ID names the window; its schedule is "maintenance-" + ID.
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// Start is when the (first) window starts.
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration"`
	// Services are the services under maintenance; their leads join the
	// war room.
	Services   []string   `json:"services,omitempty"`
	Recurrence Recurrence `json:"recurrence"`
	// AnnounceChannels hear the heads-ups, the start and the end; the
	// process's announce channels when empty.
	AnnounceChannels []string `json:"announce_channels,omitempty"`
	// Severity of the war room; the process's mildest when empty.
	Severity Severity `json:"severity,omitempty"`
	// Lead runs the window (the war room's commander) and confirms its
	// completion; defaults to ScheduledBy.
	Lead        string `json:"lead,omitempty"`
	ScheduledBy string `json:"scheduled_by,omitempty"`
	// Retrospective asks for a retrospective after every window; none
	// otherwise.
	Retrospective bool `json:"retrospective,omitempty"`
	// StatusPage puts the window on the public status page as scheduled
	// maintenance (its title and description go public): scheduled when
	// its run begins, in progress at the start, completed at the end,
	// cancelled when it is called off. The services' statuspage_components
	// are under maintenance while it runs.
	StatusPage bool `json:"statuspage,omitempty"`
}

// End is when a window starting at start is planned to end.
func (w *Window) End(start time.Time) time.Time { return start.Add(w.Duration) }

// MaxMaintenanceTitle is the longest title a window may have, in
// characters: an incident's, since its war room is one.
const MaxMaintenanceTitle = MaxTitle

// Fields of a window that validation names, as used by the schedule form
// and as the CLI flags without their "--".
const (
	WindowFieldID          = "id"
	WindowFieldTitle       = "title"
	WindowFieldDescription = "description"
	WindowFieldStart       = "start"
	WindowFieldDuration    = "duration"
	WindowFieldServices    = "service"
	WindowFieldRecurrence  = "recurrence"
	WindowFieldAnnounce    = "announce"
	WindowFieldSeverity    = "severity"
)

// FieldError is what is wrong with one field of a window.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// FieldErrors lists what is wrong with a window, field by field.
type FieldErrors []FieldError

// Error joins the messages as "--field: message; …".
func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, fe := range e {
		parts[i] = "--" + fe.Field + ": " + fe.Message
	}
	return strings.Join(parts, "; ")
}

// For returns the first message about field, or "".
func (e FieldErrors) For(field string) string {
	for _, fe := range e {
		if fe.Field == field {
			return fe.Message
		}
	}
	return ""
}

func (e *FieldErrors) add(field, format string, args ...any) {
	*e = append(*e, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// PrepareWindow trims w and fills its defaults from the process: the
// mildest severity, the announce channels, the lead.
func PrepareWindow(w Window, p *Process) Window {
	w.Title = strings.TrimSpace(w.Title)
	w.Description = strings.TrimSpace(w.Description)
	if w.Severity == "" && len(p.Severities) > 0 {
		w.Severity = p.Severities[len(p.Severities)-1].Name
	}
	var chans []string
	for _, ch := range w.AnnounceChannels {
		if ch = strings.TrimPrefix(strings.TrimSpace(ch), "#"); ch != "" && !contains(chans, ch) {
			chans = append(chans, ch)
		}
	}
	if len(chans) == 0 {
		chans = append(chans, p.AnnounceChannels...)
	}
	w.AnnounceChannels = chans
	var svcs []string
	for _, s := range w.Services {
		if s = strings.TrimSpace(s); s != "" && !contains(svcs, s) {
			svcs = append(svcs, s)
		}
	}
	w.Services = svcs
	if w.Lead == "" {
		w.Lead = w.ScheduledBy
	}
	if w.Recurrence.Kind == "" {
		w.Recurrence.Kind = RecurNone
	}
	return w
}

// ValidateWindow says what is wrong with window w (prepared with
// PrepareWindow) under process p and policy pol at time now: a missing
// title, a start in the past, a duration that isn't positive or exceeds the
// maximum, an unknown service or severity, a recurrence that can't be
// scheduled, windows that would overlap, a bad channel name. It returns nil
// when w can be scheduled.
func ValidateWindow(w *Window, p *Process, pol MaintenancePolicy, loc *time.Location, now time.Time) FieldErrors {
	var errs FieldErrors
	if w.ID != "" && !ValidID(w.ID) {
		errs.add(WindowFieldID, "%q isn't a usable ID: use lowercase letters, digits, - and _ (at most 64)", w.ID)
	}
	switch n := utf8.RuneCountInString(w.Title); {
	case n == 0:
		errs.add(WindowFieldTitle, "a maintenance window needs a title: say what is being done, in a few words")
	case n > MaxMaintenanceTitle:
		errs.add(WindowFieldTitle, "the title is %d characters long; keep it to %d", n, MaxMaintenanceTitle)
	}
	if err := CheckText("the description", w.Description, MaxText); err != nil {
		errs.add(WindowFieldDescription, "%s", err)
	}
	switch {
	case w.Start.IsZero():
		errs.add(WindowFieldStart, "give the start time, e.g. %s", now.Add(24*time.Hour).In(loc).Format(time.RFC3339))
	case !w.Start.After(now):
		errs.add(WindowFieldStart, "%s is in the past (it is now %s); pick a time after now",
			w.Start.In(loc).Format(time.RFC3339), now.In(loc).Format(time.RFC3339))
	}
	switch {
	case w.Duration <= 0:
		errs.add(WindowFieldDuration, "the end must come after the start: give a positive duration such as 2h or 30m")
	case pol.MaxDuration > 0 && w.Duration > pol.MaxDuration:
		errs.add(WindowFieldDuration, "%s is longer than the longest window allowed, %s (maintenance.max_duration); split the work or raise the limit",
			FormatDuration(w.Duration), FormatDuration(pol.MaxDuration))
	}
	for _, s := range w.Services {
		if err := p.CheckService(s); err != nil {
			errs.add(WindowFieldServices, "%s", err)
		}
	}
	if err := p.CheckSeverity(w.Severity); err != nil {
		errs.add(WindowFieldSeverity, "%s", err)
	}
	if len(w.AnnounceChannels) == 0 {
		errs.add(WindowFieldAnnounce, "name at least one channel for the heads-ups (or configure announce_channels)")
	}
	for _, ch := range w.AnnounceChannels {
		if !isChannelRef(ch) {
			errs.add(WindowFieldAnnounce, "%q isn't a channel name: use lowercase letters, digits, - and _", ch)
		}
	}
	if w.Recurrence.Kind != RecurNone && !w.Start.IsZero() {
		pat, err := w.pattern(loc)
		switch {
		case err != nil:
			errs.add(WindowFieldRecurrence, "%s", err)
		case pat.minGap() < MinRecurrencePeriod:
			errs.add(WindowFieldRecurrence, "windows would start only %s apart; repeat them at most hourly", FormatDuration(pat.minGap()))
		case w.Duration > 0 && w.Duration >= pat.minGap():
			errs.add(WindowFieldDuration, "windows of %s would overlap: they repeat every %s; shorten them or repeat them less often",
				FormatDuration(w.Duration), FormatDuration(pat.minGap()))
		}
	}
	return errs
}

// isChannelRef reports whether ch names a channel (lowercase letters,
// digits, - and _) or is a channel ID (C… or G…).
func isChannelRef(ch string) bool {
	if (strings.HasPrefix(ch, "C") || strings.HasPrefix(ch, "G")) && isSlackID(ch) {
		return true
	}
	return ch != "" && len(ch) <= MaxChannelName && strings.IndexFunc(ch, func(r rune) bool { return !isChannelRune(r) }) < 0
}

func serviceChoices(p *Process) string {
	if len(p.Services) == 0 {
		return "no services are configured (services in the configuration)"
	}
	return "use one of " + strings.Join(SortedKeys(p.Services), ", ")
}

// HeadsUpTolerance is how late a heads-up may still be sent: one due less
// than this long before a window's run began goes out at once, an older one
// is skipped.
const HeadsUpTolerance = time.Minute

// HeadsUp is one heads-up a window's run sends.
type HeadsUp struct {
	// Before is the offset before the start.
	Before time.Duration `json:"before"`
	// At is when it is due.
	At time.Time `json:"at"`
}

// HeadsUpsFor lists the heads-ups of a window starting at start, as seen by
// a run that begins at now: longest offset first, without the offsets
// already past (beyond HeadsUpTolerance) and without repeats.
func HeadsUpsFor(start, now time.Time, offsets []time.Duration) []HeadsUp {
	sorted := append([]time.Duration(nil), offsets...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] > sorted[j] })
	var out []HeadsUp
	for i, off := range sorted {
		if off <= 0 || (i > 0 && off == sorted[i-1]) {
			continue
		}
		at := start.Add(-off)
		if at.Before(now.Add(-HeadsUpTolerance)) {
			continue
		}
		out = append(out, HeadsUp{Before: off, At: at})
	}
	return out
}

// StartFor returns when the window handled by a run fired at fired starts:
// the one-off window's start, or the first occurrence of the recurrence at
// or after both fired and the first window's start.
func (w *Window) StartFor(fired time.Time, loc *time.Location) (time.Time, error) {
	if w.Recurrence.Kind == RecurNone || w.Recurrence.Kind == "" {
		return w.Start, nil
	}
	pat, err := w.pattern(loc)
	if err != nil {
		return time.Time{}, err
	}
	from := fired
	if from.Before(w.Start) {
		from = w.Start
	}
	return pat.next(from, loc), nil
}

// RunKey names the run of window w that starts at start, for workflow IDs,
// war-room IDs and idempotent posts: the window ID and the start in UTC,
// e.g. "db-upgrade-20250301t0200".
func (w *Window) RunKey(start time.Time) string {
	return w.ID + "-" + strings.ToLower(start.UTC().Format("20060102T1504"))
}

// Declaration is the war-room declaration of the window of w starting at
// start: a maintenance-kind incident led by the window's lead.
func (w *Window) Declaration(start time.Time) Declaration {
	d := Declaration{
		ID:         w.RunKey(start),
		Title:      w.Title,
		Summary:    w.Description,
		Severity:   w.Severity,
		Commander:  w.Lead,
		Declarer:   w.ScheduledBy,
		Kind:       KindMaintenance,
		Source:     SourceMaintenance,
		DeclaredAt: start,
	}
	if len(w.Services) > 0 {
		d.Service = w.Services[0]
	}
	return d
}

// MaintenanceProcess is the process a window's war room runs under: p with
// the window's severity reminding at the maintenance cadence, the leads of
// every service of the window invited, and no announce channels. The
// window announces its start, overrun and end itself, in words and with an
// icon of planned work; the war room announcing its declaration and
// resolution too told the announce channels everything twice, with an
// incident's siren.
func MaintenanceProcess(p Process, w *Window, pol MaintenancePolicy) Process {
	out := p
	out.AnnounceChannels = nil
	out.Severities = make([]SeverityPolicy, len(p.Severities))
	for i, sp := range p.Severities {
		sp.Leads = append([]string(nil), sp.Leads...)
		if sp.Name == w.Severity {
			if pol.UpdateEvery > 0 {
				sp.UpdateEvery = pol.UpdateEvery
			}
			for _, svc := range w.Services {
				for _, l := range p.Services[svc].Leads {
					if !contains(sp.Leads, l) {
						sp.Leads = append(sp.Leads, l)
					}
				}
			}
		}
		out.Severities[i] = sp
	}
	return out
}
