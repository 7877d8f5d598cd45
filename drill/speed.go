package drill

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"
)

// MaxParticipants bounds the people a drill invites, however it was
// started (the CLI, the Slack form, a schedule).
const MaxParticipants = 50

// MinSpeed and MaxSpeed bound a drill's speed: a quarter of real time to
// sixty times faster (an hour's scenario in a minute).
const MinSpeed, MaxSpeed = 0.25, 60

// CheckSpeed reports whether speed is a drill speed: 0 (meaning 1, real
// time) or from MinSpeed to MaxSpeed.
func CheckSpeed(speed float64) error {
	if speed == 0 || (speed >= MinSpeed && speed <= MaxSpeed) {
		return nil
	}
	return fmt.Errorf("speed %v is out of range: use a speed from %v to %v (1 is real time, 4 plays the scenario four times faster)", speed, MinSpeed, MaxSpeed)
}

// NormalSpeed is speed with 0 (and anything CheckSpeed refuses: NaN, a
// negative) read as 1.
func NormalSpeed(speed float64) float64 {
	if math.IsNaN(speed) || math.IsInf(speed, 0) || speed <= 0 {
		return 1
	}
	return speed
}

// Scaled returns a copy of s played at speed (NormalSpeed): its time limit
// (DefaultTimeLimit when it names none), every inject's At and Delay and
// every expectation's Within divided by speed. The copy shares nothing
// with s.
func (s Scenario) Scaled(speed float64) Scenario {
	speed = NormalSpeed(speed)
	c := s.clone()
	scale := func(d time.Duration) time.Duration { return time.Duration(float64(d) / speed) }
	c.TimeLimit = scale(c.limit())
	for i := range c.Injects {
		c.Injects[i].Trigger.At = scale(c.Injects[i].Trigger.At)
		c.Injects[i].Trigger.Delay = scale(c.Injects[i].Trigger.Delay)
	}
	for i := range c.Expected {
		c.Expected[i].Within = scale(c.Expected[i].Within)
	}
	return c
}

// ScaleCadence is the update cadence d of a drill played at speed
// (NormalSpeed): d divided by speed, but never below a minute.
func ScaleCadence(d time.Duration, speed float64) time.Duration {
	return max(time.Duration(float64(d)/NormalSpeed(speed)), time.Minute)
}

// clone is a deep copy of s.
func (s Scenario) clone() Scenario {
	c := s
	c.Facts = slices.Clone(s.Facts)
	c.Expected = slices.Clone(s.Expected)
	c.Injects = slices.Clone(s.Injects)
	for i, in := range c.Injects {
		if in.Alert != nil {
			a := *in.Alert
			a.Labels = maps.Clone(in.Alert.Labels)
			c.Injects[i].Alert = &a
		}
	}
	return c
}
