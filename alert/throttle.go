package alert

import "time"

// Throttle spaces the war-room posts about one group's alerts: at most one
// per Every (alerts.post_every). It is pure, so a workflow passes its own
// workflow.Now.
type Throttle struct {
	Every time.Duration
}

// Due reports whether a post may go out at now when the last one went out
// at last (zero: none yet).
func (t Throttle) Due(last, now time.Time) bool {
	return last.IsZero() || !now.Before(t.Next(last))
}

// Next is the earliest time the post after one at last may go out, for a
// workflow timer; zero when none went out yet.
func (t Throttle) Next(last time.Time) time.Time {
	if last.IsZero() {
		return last
	}
	return last.Add(t.Every)
}
