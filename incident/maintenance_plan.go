package incident

import (
	"fmt"
	"sort"
	"time"
)

// RecurringMargin is how much earlier than its longest heads-up a recurring
// window's schedule fires, so that a daylight-saving change between the fire
// and the start never makes that heads-up late.
const RecurringMargin = time.Hour

// TriggerGuard: a schedule whose first fire would come sooner than this
// after scheduling is triggered at once instead, so no window is lost while
// the schedule is being created.
const TriggerGuard = 5 * time.Second

// MaintenancePlan is how a window's Temporal schedule is set up. Each
// action of the schedule starts one run, which sends the heads-ups, opens
// the war room at the start and closes it at the end; the schedule fires
// Lead before each start (exactly for one-off and weekly windows, possibly
// earlier for monthly ones) and the run works out its start from the
// recurrence (Window.StartFor).
type MaintenancePlan struct {
	// FirstStart is when the first window starts.
	FirstStart time.Time `json:"first_start"`
	// Period is the shortest time between two starts; 0 for a one-off.
	Period time.Duration `json:"period,omitempty"`
	// HeadsUp are the heads-up offsets every window gets, longest first;
	// Dropped are the configured ones as long as the period, which a
	// recurring window can't honour.
	HeadsUp []time.Duration `json:"heads_up,omitempty"`
	Dropped []time.Duration `json:"dropped,omitempty"`
	// FirstHeadsUps are the heads-ups the first window still gets.
	FirstHeadsUps []HeadsUp `json:"first_heads_ups,omitempty"`
	// Lead is how long before each start the schedule fires.
	Lead time.Duration `json:"lead"`
	// Once is when a one-off window's schedule fires (zero if TriggerNow).
	Once time.Time `json:"once,omitempty"`
	// Calendars are when a recurring window's schedule fires, in the
	// process's time zone; StartAt is the first moment it may.
	Calendars []FireCalendar `json:"calendars,omitempty"`
	StartAt   time.Time      `json:"start_at,omitempty"`
	// TriggerNow asks for one action right away: the first window's fire
	// time has passed (it was scheduled at short notice).
	TriggerNow bool `json:"trigger_now,omitempty"`
}

// PlanMaintenance works out the schedule of validated window w under
// policy pol at time now, with times read in loc.
func PlanMaintenance(w *Window, pol MaintenancePolicy, loc *time.Location, now time.Time) (MaintenancePlan, error) {
	offsets := sortedOffsets(pol.HeadsUp)
	var plan MaintenancePlan
	if w.Recurrence.Kind == RecurNone || w.Recurrence.Kind == "" {
		plan.FirstStart = w.Start
		plan.HeadsUp = offsets
		if len(offsets) > 0 {
			plan.Lead = offsets[0]
		}
		if fire := w.Start.Add(-plan.Lead); fire.After(now.Add(TriggerGuard)) {
			plan.Once = fire
		} else {
			plan.TriggerNow = true
		}
		plan.FirstHeadsUps = HeadsUpsFor(plan.FirstStart, now, plan.HeadsUp)
		return plan, nil
	}
	pat, err := w.pattern(loc)
	if err != nil {
		return plan, err
	}
	plan.Period = pat.minGap()
	for _, off := range offsets {
		if off+RecurringMargin < plan.Period {
			plan.HeadsUp = append(plan.HeadsUp, off)
		} else {
			plan.Dropped = append(plan.Dropped, off)
		}
	}
	plan.Lead = RecurringMargin
	if len(plan.HeadsUp) > 0 {
		plan.Lead += plan.HeadsUp[0]
	}
	plan.FirstStart = pat.next(w.Start, loc)
	if plan.FirstStart.IsZero() {
		return plan, fmt.Errorf("the recurrence %s has no start after %s", w.Recurrence, w.Start.Format(time.RFC3339))
	}
	fires := pat.shift(plan.Lead)
	plan.Calendars = fires.calendars()
	before := pat.prev(plan.FirstStart, loc)
	if before.IsZero() {
		before = plan.FirstStart.Add(-plan.Period)
	}
	firstFire := fires.next(before.Add(time.Second), loc)
	if firstFire.After(now.Add(TriggerGuard)) {
		plan.StartAt = before.Add(time.Second)
	} else {
		plan.TriggerNow = true
		plan.StartAt = plan.FirstStart
	}
	plan.FirstHeadsUps = HeadsUpsFor(plan.FirstStart, now, plan.HeadsUp)
	return plan, nil
}

// sortedOffsets returns the positive offsets, longest first, without
// repeats.
func sortedOffsets(offsets []time.Duration) []time.Duration {
	var out []time.Duration
	for _, o := range offsets {
		if o > 0 && !containsDuration(out, o) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] > out[j] })
	return out
}

func containsDuration(list []time.Duration, d time.Duration) bool {
	for _, x := range list {
		if x == d {
			return true
		}
	}
	return false
}
