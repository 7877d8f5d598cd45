package incident

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func maintenanceProcess() *Process {
	p := DefaultProcess()
	p.Services = map[string]Service{"db": {Leads: []string{"UDBA"}}, "api": {Leads: []string{"UAPI"}}}
	return &p
}

// tuesday is Tuesday 4 March 2025, 10:00 UTC.
var tuesday = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

func TestMaintenanceValidateWindow(t *testing.T) {
	p := maintenanceProcess()
	pol := DefaultMaintenancePolicy()
	now := tuesday
	good := Window{Title: "DB upgrade", Start: now.Add(48 * time.Hour), Duration: 2 * time.Hour, Services: []string{"db"}}
	tests := []struct {
		name  string
		edit  func(*Window)
		field string
		want  string
	}{
		{"valid", func(*Window) {}, "", ""},
		{"no title", func(w *Window) { w.Title = "  " }, WindowFieldTitle, "needs a title"},
		{"long title", func(w *Window) { w.Title = strings.Repeat("x", 151) }, WindowFieldTitle, "keep it to 150"},
		{"long description", func(w *Window) { w.Description = strings.Repeat("x", 3001) }, WindowFieldDescription,
			"the description is 3,001 characters; incidentflow keeps at most 3,000 — shorten it or link to a document"},
		{"no start", func(w *Window) { w.Start = time.Time{} }, WindowFieldStart, "give the start time"},
		{"start in the past", func(w *Window) { w.Start = now.Add(-time.Minute) }, WindowFieldStart, "is in the past"},
		{"start now", func(w *Window) { w.Start = now }, WindowFieldStart, "is in the past"},
		{"zero duration", func(w *Window) { w.Duration = 0 }, WindowFieldDuration, "end must come after the start"},
		{"negative duration", func(w *Window) { w.Duration = -time.Hour }, WindowFieldDuration, "end must come after the start"},
		{"too long", func(w *Window) { w.Duration = 13 * time.Hour }, WindowFieldDuration, "longest window allowed, 12h"},
		{"unknown service", func(w *Window) { w.Services = []string{"db", "dns"} }, WindowFieldServices, `unknown service "dns": use one of api, db`},
		{"unknown severity", func(w *Window) { w.Severity = "sev9" }, WindowFieldSeverity, "unknown severity"},
		{"bad channel", func(w *Window) { w.AnnounceChannels = []string{"Ops Room"} }, WindowFieldAnnounce, "isn't a channel name"},
		{"bad id", func(w *Window) { w.ID = "DB Upgrade" }, WindowFieldID, "isn't a usable ID"},
		{"bad cron", func(w *Window) { w.Recurrence = Recurrence{Kind: RecurCron, Cron: "0 25 * * *"} }, WindowFieldRecurrence, "25 is out of range 0-23"},
		{"monthly on the 30th", func(w *Window) {
			w.Start = time.Date(2025, 3, 30, 2, 0, 0, 0, time.UTC)
			w.Recurrence = Recurrence{Kind: RecurMonthly}
		}, WindowFieldRecurrence, "day 1 to 28"},
		{"overlapping windows", func(w *Window) {
			w.Recurrence = Recurrence{Kind: RecurCron, Cron: "0 */2 * * *"}
			w.Duration = 3 * time.Hour
		}, WindowFieldDuration, "would overlap: they repeat every 2h"},
		{"too frequent", func(w *Window) {
			w.Recurrence = Recurrence{Kind: RecurCron, Cron: "*/10 * * * *"}
			w.Duration = time.Minute
		}, WindowFieldRecurrence, "at most hourly"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := good
			tt.edit(&w)
			w = PrepareWindow(w, p)
			errs := ValidateWindow(&w, p, pol, time.UTC, now)
			if tt.field == "" {
				if errs != nil {
					t.Fatalf("want no errors, got %v", errs)
				}
				return
			}
			if msg := errs.For(tt.field); !strings.Contains(msg, tt.want) {
				t.Fatalf("field %s: want %q in the error, got %q (all: %v)", tt.field, tt.want, msg, errs)
			}
		})
	}
}

func TestMaintenancePrepareWindowDefaults(t *testing.T) {
	p := maintenanceProcess()
	w := PrepareWindow(Window{Title: " T ", ScheduledBy: "U1", AnnounceChannels: []string{"#ops", " ops", ""}, Services: []string{"db", "db"}}, p)
	if w.Title != "T" || w.Severity != Minor || w.Lead != "U1" || w.Recurrence.Kind != RecurNone {
		t.Fatalf("defaults: %+v", w)
	}
	if !reflect.DeepEqual(w.AnnounceChannels, []string{"ops"}) || !reflect.DeepEqual(w.Services, []string{"db"}) {
		t.Fatalf("channels %v services %v", w.AnnounceChannels, w.Services)
	}
	if w2 := PrepareWindow(Window{}, p); !reflect.DeepEqual(w2.AnnounceChannels, []string{"incidents"}) {
		t.Fatalf("announce default: %v", w2.AnnounceChannels)
	}
}

func TestMaintenanceParseRecurrence(t *testing.T) {
	tests := []struct {
		in      string
		want    Recurrence
		wantErr string
	}{
		{"", Recurrence{Kind: RecurNone}, ""},
		{"none", Recurrence{Kind: RecurNone}, ""},
		{"Weekly", Recurrence{Kind: RecurWeekly}, ""},
		{"monthly", Recurrence{Kind: RecurMonthly}, ""},
		{"cron:0 2 * * 2", Recurrence{Kind: RecurCron, Cron: "0 2 * * 2"}, ""},
		{"cron:  30 22  * *  mon-fri ", Recurrence{Kind: RecurCron, Cron: "30 22 * * mon-fri"}, ""},
		{"cron:@daily", Recurrence{Kind: RecurCron, Cron: "@daily"}, ""},
		{"cron:0 2 1 * *", Recurrence{Kind: RecurCron, Cron: "0 2 1 * *"}, ""},
		{"daily", Recurrence{}, "unknown recurrence"},
		{"cron:0 2 * *", Recurrence{}, "has 4 fields"},
		{"cron:0 2 * * 8", Recurrence{}, "8 is out of range 0-7"},
		{"cron:0 2 * * foo", Recurrence{}, `"foo" is not a number`},
		{"cron:0 2 * jan *", Recurrence{}, "restricts the month"},
		{"cron:0 2 1,15 * *", Recurrence{}, "one day from 1 to 28"},
		{"cron:0 2 1 * 1", Recurrence{}, "one day from 1 to 28"},
		{"cron:0 2 31 * *", Recurrence{}, "one day from 1 to 28"},
		{"cron:5-1 * * * *", Recurrence{}, "runs backwards"},
		{"cron:*/0 * * * *", Recurrence{}, "positive number"},
	}
	for _, tt := range tests {
		got, err := ParseRecurrence(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: want error %q, got %v", tt.in, tt.wantErr, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if back, _ := ParseRecurrence(got.String()); back != got {
			t.Errorf("%q: String() %q doesn't round-trip", tt.in, got.String())
		}
	}
}

func TestMaintenanceHeadsUpsFor(t *testing.T) {
	start := tuesday.Add(48 * time.Hour)
	offsets := []time.Duration{time.Hour, 24 * time.Hour, time.Hour, 0}
	tests := []struct {
		name string
		now  time.Time
		want []time.Duration
	}{
		{"all ahead", tuesday, []time.Duration{24 * time.Hour, time.Hour}},
		{"24h passed", start.Add(-23 * time.Hour), []time.Duration{time.Hour}},
		{"24h just due", start.Add(-24*time.Hour + 30*time.Second), []time.Duration{24 * time.Hour, time.Hour}},
		{"all passed", start.Add(-30 * time.Minute), nil},
	}
	for _, tt := range tests {
		var got []time.Duration
		for _, h := range HeadsUpsFor(start, tt.now, offsets) {
			got = append(got, h.Before)
			if !h.At.Equal(start.Add(-h.Before)) {
				t.Errorf("%s: heads-up %s at %s", tt.name, h.Before, h.At)
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMaintenancePlanOnce(t *testing.T) {
	pol := DefaultMaintenancePolicy()
	w := Window{Title: "T", Start: tuesday.Add(48 * time.Hour), Duration: time.Hour, Recurrence: Recurrence{Kind: RecurNone}}
	plan, err := PlanMaintenance(&w, pol, time.UTC, tuesday)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Once.Equal(w.Start.Add(-24*time.Hour)) || plan.TriggerNow || plan.Lead != 24*time.Hour || len(plan.FirstHeadsUps) != 2 {
		t.Fatalf("plan: %+v", plan)
	}
	// Scheduled 30 minutes ahead: fires at once, and no heads-up is left.
	w.Start = tuesday.Add(30 * time.Minute)
	plan, _ = PlanMaintenance(&w, pol, time.UTC, tuesday)
	if !plan.TriggerNow || !plan.Once.IsZero() || len(plan.FirstHeadsUps) != 0 {
		t.Fatalf("short notice plan: %+v", plan)
	}
	// Scheduled 2 hours ahead: fires at once; the 1h heads-up remains.
	w.Start = tuesday.Add(2 * time.Hour)
	plan, _ = PlanMaintenance(&w, pol, time.UTC, tuesday)
	if !plan.TriggerNow || len(plan.FirstHeadsUps) != 1 || plan.FirstHeadsUps[0].Before != time.Hour {
		t.Fatalf("2h plan: %+v", plan)
	}
}

func TestMaintenancePlanWeekly(t *testing.T) {
	pol := DefaultMaintenancePolicy()
	start := time.Date(2025, 3, 11, 2, 0, 0, 0, time.UTC) // Tuesday
	w := Window{Title: "T", Start: start, Duration: time.Hour, Recurrence: Recurrence{Kind: RecurWeekly}}
	plan, err := PlanMaintenance(&w, pol, time.UTC, tuesday)
	if err != nil {
		t.Fatal(err)
	}
	want := []FireCalendar{{DaysOfWeek: []int{1}, Hour: 1}} // Monday 01:00: 24h + 1h margin before
	if !reflect.DeepEqual(plan.Calendars, want) || plan.Lead != 25*time.Hour || plan.TriggerNow {
		t.Fatalf("plan: %+v", plan)
	}
	if plan.Period != 7*24*time.Hour || !plan.FirstStart.Equal(start) || !plan.StartAt.Equal(start.AddDate(0, 0, -7).Add(time.Second)) {
		t.Fatalf("plan: %+v", plan)
	}
	// A run fired on Monday 01:00 handles Tuesday's window, and so does
	// the run triggered at once.
	for _, fired := range []time.Time{start.Add(-25 * time.Hour), tuesday} {
		got, err := w.StartFor(fired, time.UTC)
		if err != nil || !got.Equal(start) {
			t.Fatalf("fired %s: start %s, %v", fired, got, err)
		}
	}
	next, _ := w.StartFor(start.AddDate(0, 0, 7).Add(-25*time.Hour), time.UTC)
	if !next.Equal(start.AddDate(0, 0, 7)) {
		t.Fatalf("second window: %s", next)
	}
}

func TestMaintenancePlanWeeklyShortNotice(t *testing.T) {
	start := tuesday.Add(2 * time.Hour)
	w := Window{Title: "T", Start: start, Duration: time.Hour, Recurrence: Recurrence{Kind: RecurWeekly}}
	plan, _ := PlanMaintenance(&w, DefaultMaintenancePolicy(), time.UTC, tuesday)
	if !plan.TriggerNow || !plan.StartAt.Equal(start) {
		t.Fatalf("plan: %+v", plan)
	}
}

func TestMaintenancePlanMonthlyOnTheFirst(t *testing.T) {
	start := time.Date(2025, 4, 1, 2, 0, 0, 0, time.UTC)
	w := Window{Title: "T", Start: start, Duration: time.Hour, Recurrence: Recurrence{Kind: RecurMonthly}}
	plan, err := PlanMaintenance(&w, DefaultMaintenancePolicy(), time.UTC, tuesday)
	if err != nil {
		t.Fatal(err)
	}
	// 25h before the 1st at 02:00 is the day before at 01:00, which isn't
	// the same day in every month: the schedule fires on the 28th instead.
	want := []FireCalendar{{DaysOfMonth: []int{28}, Hour: 1}}
	if !reflect.DeepEqual(plan.Calendars, want) || plan.TriggerNow {
		t.Fatalf("plan: %+v", plan)
	}
	for _, fired := range []time.Time{time.Date(2025, 3, 28, 1, 0, 0, 0, time.UTC), time.Date(2025, 2, 28, 1, 0, 0, 0, time.UTC)} {
		if got, _ := w.StartFor(fired, time.UTC); !got.Equal(start) {
			t.Fatalf("fired %s: start %s", fired, got)
		}
	}
	if got, _ := w.StartFor(time.Date(2025, 4, 28, 1, 0, 0, 0, time.UTC), time.UTC); !got.Equal(start.AddDate(0, 1, 0)) {
		t.Fatalf("May window: %s", got)
	}
}

func TestMaintenancePlanCronWeekdays(t *testing.T) {
	w := Window{Title: "T", Start: tuesday, Duration: 30 * time.Minute, Recurrence: Recurrence{Kind: RecurCron, Cron: "0 22 * * mon-fri"}}
	plan, err := PlanMaintenance(&w, DefaultMaintenancePolicy(), time.UTC, tuesday.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Weekday windows are 24h apart: the 24h heads-up can't be honoured.
	if !reflect.DeepEqual(plan.HeadsUp, []time.Duration{time.Hour}) || !reflect.DeepEqual(plan.Dropped, []time.Duration{24 * time.Hour}) {
		t.Fatalf("heads-ups: %+v", plan)
	}
	want := []FireCalendar{{DaysOfWeek: []int{1, 2, 3, 4, 5}, Hour: 20}}
	if !reflect.DeepEqual(plan.Calendars, want) {
		t.Fatalf("calendars: %+v", plan.Calendars)
	}
	if want := time.Date(2025, 3, 4, 22, 0, 0, 0, time.UTC); !plan.FirstStart.Equal(want) {
		t.Fatalf("first start %s", plan.FirstStart)
	}
	// Friday's run handles Friday's window; Saturday has none.
	fri := time.Date(2025, 3, 7, 20, 0, 0, 0, time.UTC)
	if got, _ := w.StartFor(fri, time.UTC); !got.Equal(fri.Add(2 * time.Hour)) {
		t.Fatalf("friday: %s", got)
	}
}

func TestMaintenancePlanCronAcrossMidnight(t *testing.T) {
	// Sundays at 00:30 with heads-ups 24h and 1h: the schedule fires on
	// Friday at 23:30.
	w := Window{Title: "T", Start: tuesday, Duration: time.Hour, Recurrence: Recurrence{Kind: RecurCron, Cron: "30 0 * * 0"}}
	plan, _ := PlanMaintenance(&w, DefaultMaintenancePolicy(), time.UTC, tuesday.Add(-time.Hour))
	want := []FireCalendar{{DaysOfWeek: []int{5}, Hour: 23, Minute: 30}}
	if !reflect.DeepEqual(plan.Calendars, want) {
		t.Fatalf("calendars: %+v", plan.Calendars)
	}
}

func TestMaintenanceStartForDaylightSaving(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	// Every Sunday at 05:00 Paris time, across the change to summer time
	// on 30 March 2025: the start stays at 05:00 local.
	first := time.Date(2025, 3, 23, 5, 0, 0, 0, paris)
	w := Window{Title: "T", Start: first, Duration: time.Hour, Recurrence: Recurrence{Kind: RecurWeekly}}
	plan, _ := PlanMaintenance(&w, DefaultMaintenancePolicy(), paris, first.Add(-72*time.Hour))
	if want := []FireCalendar{{DaysOfWeek: []int{6}, Hour: 4}}; !reflect.DeepEqual(plan.Calendars, want) {
		t.Fatalf("calendars: %+v", plan.Calendars)
	}
	fired := time.Date(2025, 3, 29, 4, 0, 0, 0, paris) // Saturday 04:00, before the change
	got, _ := w.StartFor(fired, paris)
	if want := time.Date(2025, 3, 30, 5, 0, 0, 0, paris); !got.Equal(want) {
		t.Fatalf("start %s, want %s", got, want)
	}
	// The 24h heads-up is still ahead of the run: 24h before is Saturday 06:00 CET.
	if hs := HeadsUpsFor(got, fired, plan.HeadsUp); len(hs) != 2 {
		t.Fatalf("heads-ups %+v", hs)
	}
}

func TestMaintenanceProcessSnapshot(t *testing.T) {
	p := maintenanceProcess()
	w := PrepareWindow(Window{Title: "T", Services: []string{"db", "api"}, AnnounceChannels: []string{"ops"}}, p)
	mp := MaintenanceProcess(*p, &w, MaintenancePolicy{UpdateEvery: 45 * time.Minute})
	if mp.UpdateEvery(Minor) != 45*time.Minute || mp.UpdateEvery(Critical) != 15*time.Minute {
		t.Fatalf("cadence: %v %v", mp.UpdateEvery(Minor), mp.UpdateEvery(Critical))
	}
	if got := mp.Leads(Minor, w.Services[0]); !reflect.DeepEqual(got, []string{"UDBA", "UAPI"}) {
		t.Fatalf("leads %v", got)
	}
	if len(mp.AnnounceChannels) != 0 || !reflect.DeepEqual(p.AnnounceChannels, []string{"incidents"}) {
		t.Fatalf("announce %v (the window announces, not its war room) / original %v", mp.AnnounceChannels, p.AnnounceChannels)
	}
	d := w.Declaration(tuesday)
	if d.Kind != KindMaintenance || d.ID != w.ID+"-20250304t1000" || d.Service != "db" {
		t.Fatalf("declaration %+v", d)
	}
}

func TestMaintenanceTextsEscapeUserText(t *testing.T) {
	w := Window{Title: "<!channel> *now*", Description: "<@U1>", Duration: time.Hour, Services: []string{"db"}, Lead: "U2"}
	for _, s := range []string{
		HeadsUpText(&w, tuesday, time.Hour, time.UTC),
		MaintenanceCancelledText(&w, tuesday, "U3", "<!here>", time.UTC),
		MaintenanceInProgressText(&w, tuesday, "C1", time.UTC),
		MaintenanceConfirmText(&w, tuesday, 15*time.Minute, time.UTC),
		MaintenanceOverrunText(&w, tuesday, "", time.UTC),
		MaintenanceCompletedText(&w, tuesday, tuesday.Add(time.Hour), "U3", time.UTC),
	} {
		if strings.Contains(s, "<!") || strings.Contains(s, "<@U1>") || strings.Contains(s, "*now*") {
			t.Errorf("unescaped user text in %q", s)
		}
	}
	if s := HeadsUpText(&w, tuesday, time.Hour, time.UTC); !strings.Contains(s, "in 1h") || !strings.Contains(s, "Tue 4 Mar 10:00 UTC to 11:00 UTC") {
		t.Errorf("heads-up text %q", s)
	}
}
