package drill_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/drill"
)

func TestCheckSpeed(t *testing.T) {
	for _, ok := range []float64{0, 0.25, 1, 4, 60} {
		assert.NoError(t, drill.CheckSpeed(ok), ok)
	}
	for _, bad := range []float64{-1, 0.1, 60.5, math.NaN(), math.Inf(1)} {
		assert.ErrorContains(t, drill.CheckSpeed(bad), "use a speed from 0.25 to 60", bad)
	}
	assert.Equal(t, 1.0, drill.NormalSpeed(0))
	assert.Equal(t, 1.0, drill.NormalSpeed(math.NaN()))
	assert.Equal(t, 4.0, drill.NormalSpeed(4))
}

func TestScaled(t *testing.T) {
	s := drill.Scenario{
		Name: "scaled", Title: "Scaled", Severity: "major", Facts: []string{"f"},
		Injects: []drill.Inject{
			{ID: "a", Kind: drill.InjectMessage, Text: "hi", Trigger: drill.Trigger{At: 2 * time.Minute}},
			{ID: "b", Kind: drill.InjectAlert, Alert: &drill.AlertInject{Name: "X", Labels: map[string]string{"k": "v"}},
				Trigger: drill.Trigger{After: "inject:a", Delay: 90 * time.Second}},
		},
		Expected: []drill.Expectation{{Text: "ack", Event: drill.EventAcknowledged, Within: 5 * time.Minute}, {Text: "done", Event: drill.EventResolved}},
	}
	c := s.Scaled(4)
	assert.Equal(t, 15*time.Minute, c.TimeLimit, "the default hour, at 4×")
	assert.Equal(t, 30*time.Second, c.Injects[0].Trigger.At)
	assert.Equal(t, drill.Event("inject:a"), c.Injects[1].Trigger.After)
	assert.Equal(t, 22500*time.Millisecond, c.Injects[1].Trigger.Delay)
	assert.Equal(t, 75*time.Second, c.Expected[0].Within)
	assert.Equal(t, time.Duration(0), c.Expected[1].Within, "no limit stays no limit")

	c.Injects[1].Alert.Labels["k"] = "changed"
	c.Injects[1].Alert.Name = "Y"
	c.Facts[0] = "changed"
	assert.Equal(t, time.Duration(0), s.TimeLimit, "the original is unchanged")
	assert.Equal(t, 2*time.Minute, s.Injects[0].Trigger.At)
	assert.Equal(t, 5*time.Minute, s.Expected[0].Within)
	assert.Equal(t, "v", s.Injects[1].Alert.Labels["k"])
	assert.Equal(t, "X", s.Injects[1].Alert.Name)
	assert.Equal(t, "f", s.Facts[0])

	half := s.Scaled(0.5)
	assert.Equal(t, 2*time.Hour, half.TimeLimit)
	assert.Equal(t, 4*time.Minute, half.Injects[0].Trigger.At)
	same := s.Scaled(0)
	assert.Equal(t, time.Hour, same.TimeLimit)
	assert.Equal(t, 2*time.Minute, same.Injects[0].Trigger.At)
	require.NoError(t, c.Check())
}

func TestScaleCadence(t *testing.T) {
	assert.Equal(t, 15*time.Minute, drill.ScaleCadence(15*time.Minute, 0))
	assert.Equal(t, 7*time.Minute+30*time.Second, drill.ScaleCadence(30*time.Minute, 4))
	assert.Equal(t, time.Minute, drill.ScaleCadence(15*time.Minute, 60), "never below a minute")
	assert.Equal(t, 60*time.Minute, drill.ScaleCadence(15*time.Minute, 0.25))
}
