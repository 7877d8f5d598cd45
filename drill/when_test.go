package drill_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/incidentflow/incidentflow/drill"
)

func TestParseWhen(t *testing.T) {
	for in, want := range map[string]drill.When{
		"0 10 * * 2":                 {Cron: "0 10 * * 2"},
		"every tuesday 10:00":        {Weekday: time.Tuesday, Hour: 10},
		"Every First Tuesday 09:30":  {Week: 1, Weekday: time.Tuesday, Hour: 9, Minute: 30},
		"every fourth fridays 16:05": {Week: 4, Weekday: time.Friday, Hour: 16, Minute: 5},
	} {
		got, err := drill.ParseWhen(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	for _, in := range []string{"", "every fifth tuesday 10:00", "every tuesday", "every tuesday 25:00", "every tuesday 10:7",
		"every funday 10:00", "0 25 * * *", "tuesdays at ten"} {
		_, err := drill.ParseWhen(in)
		assert.Error(t, err, "%q", in)
	}
}
