package alert

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestThrottle(t *testing.T) {
	th := Throttle{Every: 5 * time.Minute}
	for _, tc := range []struct {
		name      string
		last, now time.Time
		due       bool
	}{
		{"nothing posted yet", time.Time{}, t0, true},
		{"too soon", t0, t0.Add(4*time.Minute + 59*time.Second), false},
		{"exactly on time", t0, t0.Add(5 * time.Minute), true},
		{"later", t0, t0.Add(time.Hour), true},
	} {
		assert.Equal(t, tc.due, th.Due(tc.last, tc.now), tc.name)
	}
	assert.Equal(t, t0.Add(5*time.Minute), th.Next(t0))
	assert.True(t, th.Next(time.Time{}).IsZero())
	assert.True(t, Throttle{}.Due(t0, t0), "no interval: always due")
}
