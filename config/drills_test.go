package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/config"
)

func TestDrillsConfig(t *testing.T) {
	isolate(t)
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Drills.ScenariosDir != "drills" || c.Drills.DebriefDir != "drill-debriefs" || len(c.Drills.Schedules) != 0 {
		t.Fatalf("drills defaults: %+v", c.Drills)
	}
	good := config.DrillSchedule{Scenario: "database-outage", Cron: "every first tuesday 10:00", Participants: []string{"U0123ABCDEF"}, Speed: 4}
	for _, tc := range []struct {
		name string
		set  func(*config.Drills)
		want string
	}{
		{"bad channel", func(d *config.Drills) { d.Channel = "Game Day" }, `drills.channel: "Game Day" is not allowed`},
		{"unknown scenario", func(d *config.Drills) {
			s := good
			s.Scenario = "fire-drill"
			d.Schedules = []config.DrillSchedule{s}
		}, `drills.schedules[0].scenario: "fire-drill" is not a scenario: use one of bad-deploy, database-outage, security-breach`},
		{"bad time", func(d *config.Drills) {
			s := good
			s.Cron = "every fifth tuesday"
			d.Schedules = []config.DrillSchedule{s}
		}, `drills.schedules[0].cron`},
		{"bad cron", func(d *config.Drills) {
			s := good
			s.Cron = "0 25 * * *"
			d.Schedules = []config.DrillSchedule{s}
		}, `drills.schedules[0].cron`},
		{"participant", func(d *config.Drills) {
			s := good
			s.Participants = []string{"alice"}
			d.Schedules = []config.DrillSchedule{s}
		}, `drills.schedules[0].participants: "alice" is not allowed`},
		{"speed", func(d *config.Drills) {
			s := good
			s.Speed = 1000
			d.Schedules = []config.DrillSchedule{s}
		}, `drills.schedules[0].speed: speed 1000 is out of range`},
		{"nobody", func(d *config.Drills) {
			s := good
			s.Participants = nil
			d.Schedules = []config.DrillSchedule{s}
		}, `drills.schedules[0].participants: is empty`},
		{"crowd", func(d *config.Drills) {
			s := good
			s.Participants = make([]string, 51)
			for i := range s.Participants {
				s.Participants[i] = fmt.Sprintf("U%010d", i)
			}
			d.Schedules = []config.DrillSchedule{s}
		}, `drills.schedules[0].participants: names 51 people: a drill takes at most 50`},
		{"twice", func(d *config.Drills) { d.Schedules = []config.DrillSchedule{good, good} }, `drills.schedules[1].scenario: "database-outage" is scheduled twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := *c
			tc.set(&c.Drills)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
	c.Drills.Schedules = []config.DrillSchedule{good}
	if err := c.Validate(); err != nil {
		t.Fatalf("a good schedule: %v", err)
	}

	// A scenario file with a mistake is refused with its file and line.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("name: broken\ntitle: Broken\nseverity: major\nfacts: [a]\nnonsense: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Drills.ScenariosDir = dir
	err = c.Validate()
	if err == nil || !strings.Contains(err.Error(), "drills.scenarios_dir") || !strings.Contains(err.Error(), "broken.yaml:5") {
		t.Fatalf("Validate() with a broken scenario file = %v", err)
	}
}
