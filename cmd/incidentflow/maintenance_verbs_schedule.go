package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
)

// scheduleFlags are the flags of `maintenance schedule`.
type scheduleFlags struct {
	id, title, start, recurrence, description, severity, lead *string
	duration                                                  *time.Duration
	services, announce                                        *[]string
	retro, statuspage                                         *bool
	// who schedules it (--as).
	who *identity
	// key names a window scheduled without --id, so that scheduling it
	// again with the same key reschedules that window.
	key *idempotencyKey
}

func runMaintenanceSchedule(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("maintenance schedule", "--title T --start RFC3339 --duration D [--recurrence none|weekly|monthly|cron:<expr>] [--service S] [--description T] [--announce ch,ch] [--statuspage] [--id ID] [--idempotency-key K]").withJSON()
	sf := scheduleFlags{
		id:          f.fs.String("id", "", "the window's ID; an existing ID reschedules that window (default: made from the title)"),
		title:       f.fs.String("title", "", "what is being done, in a few words (required)"),
		start:       f.fs.String("start", "", "when the (first) window starts, RFC 3339 (2025-03-04T02:00:00Z) or \"2025-03-04 02:00\" in time_zone (required)"),
		duration:    f.fs.Duration("duration", 0, "how long the window lasts, e.g. 2h (required)"),
		recurrence:  f.fs.String("recurrence", "none", "none, weekly, monthly (day 1-28) or \"cron:<5 fields>\" naming the start times"),
		services:    f.fs.StringArray("service", nil, "a service under maintenance, as configured under services (repeatable)"),
		description: f.fs.String("description", "", "what will happen and what users will notice"),
		announce:    f.fs.StringSlice("announce", nil, "channels for the heads-ups and announcements (default: announce_channels)"),
		severity:    f.fs.String("severity", "", "severity of the war room (default: the mildest configured)"),
		lead:        f.fs.String("lead", "", "Slack user ID of who runs the window and confirms its end (default: --as)"),
		who:         newIdentity(f.fs, "who schedules it"),
		retro:       f.fs.Bool("retrospective", false, "hold a retrospective after each window"),
		statuspage:  f.fs.Bool("statuspage", false, "put each window on the public status page as scheduled maintenance (its title and description go public)"),
		key:         idempotencyFlag(f.fs, "without --id, scheduling again with the same key schedules the same window, not a second one"),
	}
	return withMaintenance(ctx, f, args, out, sf.who, func(m *starter.Maintenance) (any, string, error) {
		w, err := sf.window(ctx, f, m)
		if err != nil {
			return nil, "", err
		}
		res, err := m.Schedule(sf.key.context(ctx, "maintenance-schedule"), w)
		if err != nil {
			return sf.key.done(nil, "", err)
		}
		m.AwaitListed(ctx, res.ID)
		return sf.key.done(res, scheduledText(res, m.Process.Location())+"\n  Scheduled as "+sf.who.actor.String()+".", nil)
	}, sf.check)
}

// check refuses, before Temporal is asked, the flags that are wrong
// whichever window they schedule or reschedule: an --id, --recurrence or
// --lead that can't be one.
func (sf scheduleFlags) check() error {
	if *sf.id != "" && !incident.ValidID(*sf.id) {
		return fmt.Errorf("--id %q isn't an ID: use lowercase letters, digits, - and _ (at most 64)", *sf.id)
	}
	if _, err := incident.ParseRecurrence(*sf.recurrence); err != nil {
		return fmt.Errorf("--recurrence: %w", err)
	}
	if *sf.lead != "" && !incident.IsUserID(*sf.lead) {
		return fmt.Errorf("--lead %q isn't a Slack user ID: give one like U0123ABCDEF (Slack profile → ⋮ → Copy member ID)", *sf.lead)
	}
	return nil
}

// window builds the window the flags describe. With the ID of an existing
// window, the flags not given keep that window's values.
func (sf scheduleFlags) window(ctx context.Context, f *commonFlags, m *starter.Maintenance) (incident.Window, error) {
	changed := func(name string) bool { return f.fs.Changed(name) }
	var w incident.Window
	if *sf.id != "" {
		if cur, err := m.Get(ctx, *sf.id); err == nil {
			w = cur.Window
			w.Start = cur.NextStart
		} else if !errors.Is(err, starter.ErrNoWindow) {
			return w, err
		}
		w.ID = *sf.id
	} else {
		w.ID = starter.WindowIDFromKey(*sf.title, sf.key.value())
	}
	if w.Title == "" || changed("title") {
		w.Title = *sf.title
	}
	if w.Duration == 0 || changed("duration") {
		w.Duration = *sf.duration
	}
	if w.Start.IsZero() || changed("start") {
		start, err := parseStart(*sf.start, m.Process.Location())
		if err != nil {
			return w, err
		}
		w.Start = start
	}
	if w.Recurrence.Kind == "" || changed("recurrence") {
		r, err := incident.ParseRecurrence(*sf.recurrence)
		if err != nil {
			return w, fmt.Errorf("--recurrence: %w", err)
		}
		w.Recurrence = r
	}
	for name, set := range map[string]func(){
		"service":       func() { w.Services = *sf.services },
		"announce":      func() { w.AnnounceChannels = *sf.announce },
		"description":   func() { w.Description = *sf.description },
		"severity":      func() { w.Severity = incident.Severity(*sf.severity) },
		"lead":          func() { w.Lead = *sf.lead },
		"retrospective": func() { w.Retrospective = *sf.retro },
		"statuspage":    func() { w.StatusPage = *sf.statuspage },
	} {
		if changed(name) {
			set()
		}
	}
	// The scheduler declares each window's war room and leads it without
	// --lead, so only a Slack person goes there.
	w.ScheduledBy = sf.who.person()
	if strings.TrimSpace(w.Title) == "" {
		return w, errors.New("--title is required: say what is being done, in a few words")
	}
	return w, nil
}

// parseStart reads RFC 3339, or "YYYY-MM-DD HH:MM" in the configured zone.
func parseStart(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("--start is required: when the window starts, e.g. " + time.Now().Add(24*time.Hour).UTC().Format("2006-01-02T15:00:00Z"))
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--start: %q isn't a time; write RFC 3339 (2025-03-04T02:00:00Z) or \"2025-03-04 02:00\" (in %s)", s, loc)
}

// scheduledText is the human summary of a scheduled window.
func scheduledText(res starter.ScheduledWindow, loc *time.Location) string {
	w, plan := res.Window, res.Plan
	verb := "Scheduled"
	switch {
	case res.Unchanged:
		verb = "Already scheduled, unchanged:"
	case res.Updated:
		verb = "Rescheduled"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s maintenance %s %q: %s, for %s.\n", verb, res.ID, w.Title, w.Describe(loc), incident.FormatDuration(w.Duration))
	fmt.Fprintf(&b, "  First window: %s to %s.\n", when(plan.FirstStart, loc), incident.Clock(w.End(plan.FirstStart), loc))
	if len(plan.FirstHeadsUps) == 0 {
		b.WriteString("  No heads-up: the first window is too close.\n")
	}
	for _, h := range plan.FirstHeadsUps {
		fmt.Fprintf(&b, "  Heads-up %s before, at %s, in #%s.\n", incident.FormatDuration(h.Before), when(h.At, loc), strings.Join(w.AnnounceChannels, ", #"))
	}
	for _, d := range plan.Dropped {
		fmt.Fprintf(&b, "  No %s heads-up: windows repeat every %s.\n", incident.FormatDuration(d), incident.FormatDuration(plan.Period))
	}
	switch {
	case len(res.Notified) > 0:
		fmt.Fprintf(&b, "  The window waiting for the old time was called off; %s, which had a heads-up, %s told the new time.\n", channelList(res.Notified), isAre(len(res.Notified)))
	case len(res.CalledOff) > 0:
		b.WriteString("  The window waiting for the old time was called off (it had sent no heads-up yet).\n")
	}
	if w.StatusPage {
		b.WriteString("  On the public status page: scheduled as each window's run begins, in progress at the start, completed at the end.\n")
	}
	if len(res.InProgress) > 0 {
		b.WriteString("  A window in progress carries on; the new times apply to the next ones.\n")
	}
	fmt.Fprintf(&b, "  Temporal schedule %s. Cancel with: incidentflow maintenance cancel --id %s", res.ScheduleID, res.ID)
	return b.String()
}
