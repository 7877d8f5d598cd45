package drill

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// inWords says a duration the way people do, to the second: "45s",
// "2m 10s", "1h 5m"; "never" for a negative one (a step that never
// happened).
func inWords(d time.Duration) string {
	if d < 0 {
		return "never"
	}
	d = d.Round(time.Second)
	if d == 0 {
		return "0s"
	}
	var parts []string
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			parts = append(parts, strconv.FormatInt(int64(n), 10)+u.name)
			d -= n * u.unit
		}
	}
	return strings.Join(parts, " ")
}

// offset prints a time from the drill's start as "+MM:SS" (minutes
// growing past 99 as needed); a time before the start is +00:00.
func offset(d time.Duration) string {
	d = max(d, 0).Round(time.Second)
	return fmt.Sprintf("+%02d:%02d", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// speedText says a drill's speed: "real time", "4× speed", "0.5× speed".
func speedText(speed float64) string {
	speed = NormalSpeed(speed)
	if speed == 1 {
		return "real time"
	}
	return strconv.FormatFloat(speed, 'f', -1, 64) + "× speed"
}

// oneLine is s on one line, its runs of white space made single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
