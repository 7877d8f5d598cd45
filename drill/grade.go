package drill

import (
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
)

// never is a Score's time of a step that never happened.
const never = time.Duration(-1)

// Grade scores the drill of the scenario s (already Scaled) from its
// incident's state inc and its progress p; cadence is the update cadence
// it ran at (already ScaleCadence'd). Times count from p.StartedAt (an
// event before it, such as the declaration, counts as at the start).
// Duration runs to p.EndedAt, or to the resolution while the drill hasn't
// ended. An expectation is met when its event Happened within its Within
// of the start (at any time when Within is zero); its At says when it
// happened, met or late.
func Grade(s Scenario, inc *incident.Incident, p Progress, cadence time.Duration) Score {
	if inc == nil {
		inc = &incident.Incident{}
	}
	since := func(ev Event) time.Duration {
		t, ok := Happened(inc, &p, ev)
		if !ok {
			return never
		}
		return max(t.Sub(p.StartedAt), 0)
	}
	rec := insights.FromIncident(*inc)
	sc := Score{
		Scenario:          s.Name,
		Title:             s.Title,
		Speed:             NormalSpeed(p.Speed),
		TimedOut:          p.TimedOut,
		Cadence:           cadence,
		TimeToAcknowledge: since(EventAcknowledged),
		TimeToFirstUpdate: since(EventFirstUpdate),
		TimeToRoles:       since(EventRolesAssigned),
		UpdateIntervals:   rec.UpdateIntervals,
		UpdatesOnTime:     rec.UpdatesOnTime,
		Expectations:      make([]ExpectationResult, 0, len(s.Expected)),
		HintsUsed:         p.Hints,
	}
	end := p.EndedAt
	if end.IsZero() {
		end = inc.ResolvedAt
	}
	if !end.IsZero() && !p.StartedAt.IsZero() {
		sc.Duration = max(end.Sub(p.StartedAt), 0)
	}
	for _, e := range s.Expected {
		at := since(e.Event)
		met := at != never && (e.Within == 0 || at <= e.Within)
		sc.Expectations = append(sc.Expectations, ExpectationResult{Text: e.Text, Met: met, At: at})
		if met {
			sc.Points++
		}
	}
	if sc.TimeToFirstUpdate != never && sc.TimeToFirstUpdate <= cadence {
		sc.Points++
	}
	if sc.TimeToRoles != never && sc.TimeToRoles <= cadence {
		sc.Points++
	}
	sc.Points += sc.UpdatesOnTime
	sc.MaxPoints = len(s.Expected) + 2 + max(1, sc.UpdateIntervals)
	return sc
}
