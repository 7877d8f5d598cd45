package config

import (
	"fmt"
	"strings"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
)

// DefaultDrillsDir is drills.scenarios_dir: scenario files beside the
// configuration.
const DefaultDrillsDir = "drills"

// Drills configures incident drills: where they are announced, where
// scenario files are, and the drills run on a schedule.
type Drills struct {
	// Channel, when set, hears of every drill (its start and its end);
	// drills are announced nowhere else.
	Channel string `mapstructure:"channel"`
	// ScenariosDir holds scenario files (*.yaml) besides the built-in ones.
	ScenariosDir string `mapstructure:"scenarios_dir"`
	// DebriefDir receives each drill's debrief as Markdown when GitHub
	// isn't configured.
	DebriefDir string `mapstructure:"debrief_dir"`
	// Schedules run drills on a Temporal schedule. File only.
	Schedules []DrillSchedule `mapstructure:"schedules"`
}

// DrillSchedule is one scheduled drill.
type DrillSchedule struct {
	// Scenario names a built-in scenario or one in ScenariosDir.
	Scenario string `mapstructure:"scenario"`
	// Cron is a cron expression ("0 10 * * 2", in time_zone) or "every
	// first tuesday 10:00" (drill.ParseWhen).
	Cron string `mapstructure:"cron"`
	// Participants are invited to each drill room (Slack user IDs).
	Participants []string `mapstructure:"participants"`
	// Speed plays the scenario faster (default 1).
	Speed float64 `mapstructure:"speed"`
}

// DrillScenarios loads the built-in scenarios and those in
// drills.scenarios_dir.
func (c *Config) DrillScenarios() ([]drill.Scenario, error) {
	return drill.Load(c.Drills.ScenariosDir)
}

// checkDrills validates drills.*: the channel, every scenario file, and
// each schedule's scenario, time, participants and speed.
func (c *Config) checkDrills(bad func(key, value, allowed string), say func(key, message string)) {
	d := c.Drills
	if ch := strings.TrimSpace(d.Channel); ch != "" && !incident.IsChannelRef(strings.TrimPrefix(ch, "#")) {
		bad("drills.channel", d.Channel, "a channel name (lowercase letters, digits, - and _) or ID, or empty to announce drills nowhere")
	}
	scenarios, err := c.DrillScenarios()
	if err != nil {
		say("drills.scenarios_dir", err.Error())
	}
	seen := map[string]bool{}
	for i, s := range d.Schedules {
		key := fmt.Sprintf("drills.schedules[%d]", i)
		if _, ok := drill.Find(scenarios, s.Scenario); !ok && err == nil {
			say(key+".scenario", fmt.Sprintf("%q is not a scenario: use one of %s", s.Scenario, strings.Join(drill.Names(scenarios), ", ")))
		}
		if seen[s.Scenario] {
			say(key+".scenario", fmt.Sprintf("%q is scheduled twice: give one schedule per scenario", s.Scenario))
		}
		seen[s.Scenario] = true
		if _, werr := drill.ParseWhen(s.Cron); werr != nil {
			say(key+".cron", werr.Error())
		}
		switch n := len(s.Participants); {
		case n == 0:
			say(key+".participants", "is empty: name at least one Slack user ID (U0123ABCDEF); a scheduled drill invites only its participants")
		case n > drill.MaxParticipants:
			say(key+".participants", fmt.Sprintf("names %d people: a drill takes at most %d", n, drill.MaxParticipants))
		}
		for _, u := range s.Participants {
			if !incident.IsUserID(u) {
				bad(key+".participants", u, "Slack user IDs such as U0123ABCDEF")
			}
		}
		if serr := drill.CheckSpeed(s.Speed); serr != nil {
			say(key+".speed", serr.Error())
		}
	}
}
