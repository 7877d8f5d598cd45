package starter

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func TestMaintenanceScheduleSpec(t *testing.T) {
	one := func(v int) []client.ScheduleRange { return []client.ScheduleRange{{Start: v}} }
	once := scheduleSpec(incident.MaintenancePlan{Once: time.Date(2026, 3, 4, 2, 30, 15, 0, time.FixedZone("CET", 3600))}, time.UTC)
	want := client.ScheduleCalendarSpec{Second: one(15), Minute: one(30), Hour: one(1), DayOfMonth: one(4), Month: one(3), Year: one(2026)}
	if got := once.Calendars; len(got) != 1 || !reflect.DeepEqual(got[0].Year, want.Year) || !reflect.DeepEqual(got[0].Hour, want.Hour) ||
		!reflect.DeepEqual(got[0].Second, want.Second) || once.TimeZoneName != "UTC" {
		t.Fatalf("one-off spec: %+v", once)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata")
	}
	startAt := time.Date(2026, 3, 3, 2, 0, 1, 0, paris)
	weekly := scheduleSpec(incident.MaintenancePlan{
		Lead: 25 * time.Hour, StartAt: startAt,
		Calendars: []incident.FireCalendar{{DaysOfWeek: []int{1, 3}, Hour: 1}, {DaysOfMonth: []int{28}, Hour: 4, Minute: 5}},
	}, paris)
	if weekly.TimeZoneName != "Europe/Paris" || !weekly.StartAt.Equal(startAt) || len(weekly.Calendars) != 2 {
		t.Fatalf("weekly spec: %+v", weekly)
	}
	c0, c1 := weekly.Calendars[0], weekly.Calendars[1]
	if !reflect.DeepEqual(c0.DayOfWeek, []client.ScheduleRange{{Start: 1}, {Start: 3}}) || !reflect.DeepEqual(c0.Hour, one(1)) ||
		!reflect.DeepEqual(c0.DayOfMonth, []client.ScheduleRange{{Start: 1, End: 31}}) {
		t.Fatalf("weekly calendar: %+v", c0)
	}
	if !reflect.DeepEqual(c1.DayOfMonth, one(28)) || !reflect.DeepEqual(c1.DayOfWeek, []client.ScheduleRange{{Start: 0, End: 6}}) || !reflect.DeepEqual(c1.Minute, one(5)) {
		t.Fatalf("monthly calendar: %+v", c1)
	}
	if now := scheduleSpec(incident.MaintenancePlan{TriggerNow: true}, time.UTC); len(now.Calendars) != 0 {
		t.Fatalf("a window triggered at once has no calendar: %+v", now)
	}
}

func TestMaintenanceScheduleOptions(t *testing.T) {
	p := incident.DefaultProcess()
	m := &Maintenance{TaskQueue: "q", Process: p, Policy: incident.DefaultMaintenancePolicy()}
	w := incident.PrepareWindow(incident.Window{ID: "dbup", Title: "DB upgrade", Start: time.Now().Add(48 * time.Hour), Duration: time.Hour, ScheduledBy: "U1"}, &p)
	plan, err := incident.PlanMaintenance(&w, m.Policy, time.UTC, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	opts := m.scheduleOptions(w, plan)
	action := opts.Action.(*client.ScheduleWorkflowAction)
	if opts.ID != "maintenance-dbup" || action.ID != "maintenance-dbup" || action.Workflow != wfapi.MaintenanceWorkflowName || action.TaskQueue != "q" {
		t.Fatalf("options: %+v / %+v", opts, action)
	}
	if opts.RemainingActions != 1 || opts.TriggerImmediately || !strings.Contains(opts.Note, `"DB upgrade" (dbup)`) {
		t.Fatalf("one-off: remaining %d, trigger %v, note %q", opts.RemainingActions, opts.TriggerImmediately, opts.Note)
	}
	if kind, ok := action.TypedSearchAttributes.GetKeyword(wfapi.SearchKind); !ok || kind != "maintenance" {
		t.Fatalf("kind %q", kind)
	}
	in := action.Args[0].(wfapi.MaintenanceInput)
	if b, _ := json.Marshal(in); !strings.Contains(string(b), `"heads_up":[86400000000000,3600000000000]`) {
		t.Fatalf("input %s", b)
	}
	// The runs take the process from the worker: the input carries the
	// window, the policy and the zone its times are in, not the process.
	if b, _ := json.Marshal(in); strings.Contains(string(b), `"process"`) || in.TimeZone != "UTC" {
		t.Fatalf("input %s", b)
	}
	// A recurring window whose heads-ups were all dropped passes [], not
	// null, so runs don't fall back on the policy's.
	in.HeadsUp = append([]time.Duration{}, nil...)
	if b, _ := json.Marshal(in); !strings.Contains(string(b), `"heads_up":[]`) {
		t.Fatalf("input %s", b)
	}
}

func TestMaintenanceIDsAndPromotionSeverity(t *testing.T) {
	if id := newWindowID(strings.Repeat("long title ", 10)); len(id) > 30 || !incident.ValidID(id) {
		t.Fatalf("id %q", id)
	}
	if a, b := newWindowID("DB upgrade"), newWindowID("DB upgrade"); a == b {
		t.Fatalf("two windows asked for without a key are both %q", a)
	}
	a, b := WindowIDFromKey("Postgres 16 upgrade!", "V1"), WindowIDFromKey("Postgres 16 upgrade!", "V1")
	if a != b || !strings.HasPrefix(a, "postgres-16-upgrade-") || !incident.ValidID(a) || WindowIDFromKey("Postgres 16 upgrade!", "V2") == a {
		t.Fatalf("ids from keys %q %q", a, b)
	}
	if id := WindowIDFromKey("!!!", "k"); !strings.HasPrefix(id, "mw-") || !incident.ValidID(id) {
		t.Fatalf("id without a slug %q", id)
	}
	p := incident.DefaultProcess()
	for sev, want := range map[incident.Severity]incident.Severity{incident.Minor: incident.Major, incident.Major: incident.Critical, incident.Critical: incident.Critical, "": incident.Critical} {
		if got := PromotionSeverity(&p, sev); got != want {
			t.Errorf("promotion of %q: %q, want %q", sev, got, want)
		}
	}
}
