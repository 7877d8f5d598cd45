package drill

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/incidentflow/incidentflow/incident"
)

// The bounds Check holds a scenario to.
const (
	maxNameLen     = 40
	maxTitle       = 150
	maxSummary     = 2000
	maxTimeLimit   = 24 * time.Hour
	maxFacts       = 30
	maxFact        = 1000
	maxInjects     = 50
	maxText        = 2000
	maxFrom        = 80
	maxLabels      = 20
	maxLabelValue  = 200
	maxAlertText   = 500
	maxExpected    = 30
	maxExpectation = 200
)

var (
	nameRE      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
	severityRE  = regexp.MustCompile(`^[a-z0-9_-]{1,30}$`)
	serviceRE   = regexp.MustCompile(`^[a-z0-9_-]{0,64}$`)
	alertnameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	labelRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Check reports every mistake in s (a built-in, or a scenario built in
// Go) as a *ParseError without line numbers, or nil. It checks what Parse
// checks, reading a zero TimeLimit as DefaultTimeLimit and an alert's
// empty status as "firing"; it doesn't change s.
func (s *Scenario) Check() error {
	if probs := check(s, nil); len(probs) > 0 {
		return &ParseError{Origin: s.Origin, Problems: probs}
	}
	return nil
}

// applyDefaults fills in what a scenario file may leave out.
func (s *Scenario) applyDefaults() {
	s.TimeLimit = s.limit()
	for i := range s.Injects {
		if a := s.Injects[i].Alert; a != nil && a.Status == "" {
			a.Status = "firing"
		}
	}
}

// limit is s's time limit, DefaultTimeLimit when it names none.
func (s Scenario) limit() time.Duration {
	if s.TimeLimit == 0 {
		return DefaultTimeLimit
	}
	return s.TimeLimit
}

// locator knows the lines of a parsed scenario's values, by path; a nil
// locator (Check) knows none.
type locator struct {
	lines map[string]int
	bad   map[string]bool
	root  int
}

// line is the line of the value at path, or of the nearest enclosing
// value the file has (a missing key's mapping).
func (l *locator) line(path string) int {
	if l == nil {
		return 0
	}
	for {
		if n, ok := l.lines[path]; ok {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return l.root
		}
		path = path[:i]
	}
}

// has reports whether the file set the value at path.
func (l *locator) has(path string) bool {
	if l == nil {
		return false
	}
	_, ok := l.lines[path]
	return ok
}

// checker collects the problems of one scenario.
type checker struct {
	loc   *locator
	probs []Problem
}

func (c *checker) add(path, format string, args ...any) {
	if c.loc != nil && c.loc.bad[path] {
		return // the decoder already said what is wrong with it
	}
	c.probs = append(c.probs, Problem{Line: c.loc.line(path), Message: path + ": " + fmt.Sprintf(format, args...)})
}

// text checks a text field: required or not, and at most max characters.
func (c *checker) text(path, s string, required bool, max int, hint string) {
	switch n := utf8.RuneCountInString(s); {
	case strings.TrimSpace(s) == "" && required:
		c.add(path, "required: %s", hint)
	case n > max:
		c.add(path, "%d characters; at most %d are allowed: shorten it", n, max)
	}
}

// singleLine refuses a text that spans lines (a title, a name).
func (c *checker) singleLine(path, s string) {
	if strings.ContainsAny(s, "\r\n") {
		c.add(path, "spans several lines; write it on one line")
	}
}

// offset checks a duration that must lie within the time limit (before
// it, unless upTo).
func (c *checker) offset(path string, d, limit time.Duration, upTo bool) {
	switch {
	case d < 0:
		c.add(path, "%s is negative; offsets count forward from the start or the event", d)
	case upTo && d > limit:
		c.add(path, "%s is beyond the time limit of %s; shorten it or raise time_limit", inWords(d), inWords(limit))
	case !upTo && d >= limit:
		c.add(path, "%s is not before the time limit of %s, so it would never play; shorten it or raise time_limit", inWords(d), inWords(limit))
	}
}

// check lists the problems of s, each on its line when loc knows it.
func check(s *Scenario, loc *locator) []Problem {
	c := &checker{loc: loc}
	switch {
	case s.Name == "":
		c.add("name", "required: name the scenario, e.g. name: database-outage")
	case !nameRE.MatchString(s.Name):
		c.add("name", "%q is not a valid name: use lowercase letters, digits and dashes, starting with a letter or digit, at most %d characters", s.Name, maxNameLen)
	}
	c.text("title", s.Title, true, maxTitle, "say what breaks, e.g. title: Checkout database is down")
	c.singleLine("title", s.Title)
	c.text("summary", s.Summary, false, maxSummary, "")
	switch {
	case s.Severity == "":
		c.add("severity", "required: name the severity the drill is declared at, e.g. severity: major")
	case !severityRE.MatchString(string(s.Severity)):
		c.add("severity", "%q is not a severity name: use lowercase letters, digits, - and _, at most 30 characters", s.Severity)
	}
	if !serviceRE.MatchString(s.Service) {
		c.add("service", "%q is not a service name: use lowercase letters, digits, - and _, at most 64 characters", s.Service)
	}
	switch {
	case s.TimeLimit < 0:
		c.add("time_limit", "%s is negative; leave it out for the default of %s", s.TimeLimit, inWords(DefaultTimeLimit))
	case s.TimeLimit > maxTimeLimit:
		c.add("time_limit", "%s is more than %s; a drill lasts at most a day", inWords(s.TimeLimit), inWords(maxTimeLimit))
	}
	limit := s.limit()
	if len(s.Facts) > maxFacts {
		c.add("facts", "%d facts; at most %d are allowed", len(s.Facts), maxFacts)
	}
	for i, f := range s.Facts {
		c.text(fmt.Sprintf("facts[%d]", i), f, true, maxFact, "write the fact or remove the item")
	}
	c.injects(s, limit)
	c.expectations(s, limit)
	return c.probs
}

// injects checks s's injects, their triggers and the order they follow
// each other in.
func (c *checker) injects(s *Scenario, limit time.Duration) {
	if len(s.Injects) > maxInjects {
		c.add("injects", "%d injects; at most %d are allowed: split the scenario", len(s.Injects), maxInjects)
	}
	ids := map[string]int{}
	for i, in := range s.Injects {
		path := fmt.Sprintf("injects[%d]", i)
		switch {
		case in.ID == "":
			c.add(path+".id", "required: name the inject, e.g. id: sales-asks")
		case !nameRE.MatchString(in.ID):
			c.add(path+".id", "%q is not a valid id: use lowercase letters, digits and dashes, starting with a letter or digit, at most %d characters", in.ID, maxNameLen)
		default:
			if first, dup := ids[in.ID]; dup {
				c.add(path+".id", "%q is also the id of injects[%d]; ids must be unique", in.ID, first)
			} else {
				ids[in.ID] = i
			}
		}
		c.inject(path, in, limit)
	}
	for i, in := range s.Injects {
		path := fmt.Sprintf("injects[%d].after", i)
		id, ok := strings.CutPrefix(string(in.Trigger.After), "inject:")
		if !ok || !nameRE.MatchString(id) {
			continue
		}
		if _, known := ids[id]; !known {
			c.add(path, "no inject has the id %q; use the id of another inject of this scenario", id)
		} else if id == in.ID {
			c.add(path, "an inject can't follow itself; make it follow another inject or event")
		}
	}
	c.cycles(s, ids)
}

// inject checks one inject but for the ids its trigger names.
func (c *checker) inject(path string, in Inject, limit time.Duration) {
	switch in.Kind {
	case InjectMessage:
		c.text(path+".text", in.Text, true, maxText, "write what the simulated person says")
	case InjectStatusPageStale:
		c.text(path+".text", in.Text, false, maxText, "")
	case InjectAlert:
		if in.Text != "" {
			c.add(path+".text", "an alert inject has no text; put it in alert.summary")
		}
	case "":
		c.add(path+".kind", "required: use one of message, alert, status_page_stale")
	default:
		c.add(path+".kind", "unknown kind %q; use one of message, alert, status_page_stale", in.Kind)
	}
	switch {
	case in.Kind == InjectAlert && in.Alert == nil:
		c.add(path+".alert", "required for an alert inject: give at least alert.name")
	case in.Kind == InjectAlert:
		c.alert(path+".alert", in.Alert)
	case in.Alert != nil && in.Kind != "":
		c.add(path+".alert", "only an alert inject has an alert; use kind: alert or remove it")
	}
	c.text(path+".from", in.From, false, maxFrom, "")
	c.singleLine(path+".from", in.From)
	c.trigger(path, in.Trigger, limit)
}

// trigger checks when an inject plays.
func (c *checker) trigger(path string, t Trigger, limit time.Duration) {
	hasAt := t.At != 0 || c.loc.has(path+".at")
	hasDelay := t.Delay != 0 || c.loc.has(path+".delay")
	switch {
	case hasAt && t.After != "":
		c.add(path+".at", "at and after both set; use at (from the start) or after with an optional delay, not both")
	case hasAt && hasDelay:
		c.add(path+".delay", "delay counts from the after event; with no after, use at alone")
	}
	c.offset(path+".at", t.At, limit, false)
	c.offset(path+".delay", t.Delay, limit, false)
	if t.After != "" {
		if err := t.After.Check(true); err != nil {
			c.add(path+".after", "%v", err)
		}
	}
}

// alert checks a simulated alert.
func (c *checker) alert(path string, a *AlertInject) {
	switch {
	case a.Name == "":
		c.add(path+".name", "required: the alertname, e.g. name: HighErrorRate")
	case !alertnameRE.MatchString(a.Name):
		c.add(path+".name", "%q is not an alert name: use letters, digits and _, not starting with a digit", a.Name)
	}
	switch a.Status {
	case "", "firing", "resolved":
	default:
		c.add(path+".status", "unknown status %q; use firing or resolved", a.Status)
	}
	if len(a.Labels) > maxLabels {
		c.add(path+".labels", "%d labels; at most %d are allowed", len(a.Labels), maxLabels)
	}
	for _, k := range incident.SortedKeys(a.Labels) {
		p := path + ".labels." + k
		switch {
		case !labelRE.MatchString(k):
			c.add(p, "%q is not a label name: use letters, digits and _, not starting with a digit", k)
		case k == "alertname":
			c.add(p, "set the alert's name with alert.name, not a label")
		}
		if n := utf8.RuneCountInString(a.Labels[k]); n > maxLabelValue {
			c.add(p, "%d characters; at most %d are allowed", n, maxLabelValue)
		}
	}
	c.text(path+".summary", a.Summary, false, maxAlertText, "")
	if a.URL != "" {
		u, err := url.Parse(a.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			c.add(path+".url", "%q is not an absolute http(s) URL; write it like https://grafana.example.com/d/abc", a.URL)
		}
	}
}

// cycles reports injects that follow each other in a circle: none of them
// would ever play. Each inject follows at most one other, so every cycle
// is a simple loop; it is reported once, at its first inject.
func (c *checker) cycles(s *Scenario, ids map[string]int) {
	next := func(i int) int {
		id, ok := strings.CutPrefix(string(s.Injects[i].Trigger.After), "inject:")
		if !ok {
			return -1
		}
		j, ok := ids[id]
		if !ok || j == i {
			return -1 // reported as unknown, or as following itself
		}
		return j
	}
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]int, len(s.Injects))
	for start := range s.Injects {
		var walk []int
		i := start
		for i >= 0 && state[i] == unseen {
			state[i] = onPath
			walk = append(walk, i)
			i = next(i)
		}
		if i >= 0 && state[i] == onPath {
			k := 0
			for walk[k] != i {
				k++
			}
			loop := walk[k:]
			r := 0 // the loop starts at its first inject
			for j := range loop {
				if loop[j] < loop[r] {
					r = j
				}
			}
			loop = append(loop[r:len(loop):len(loop)], loop[:r]...)
			names := make([]string, 0, len(loop)+1)
			for _, j := range loop {
				names = append(names, s.Injects[j].ID)
			}
			names = append(names, s.Injects[loop[0]].ID)
			c.add(fmt.Sprintf("injects[%d].after", loop[0]),
				"these injects follow each other in a circle (%s), so none of them would ever play; make one of them follow an event or use at",
				strings.Join(names, " → "))
		}
		for _, j := range walk {
			state[j] = done
		}
	}
}

// expectations checks what the debrief looks for.
func (c *checker) expectations(s *Scenario, limit time.Duration) {
	if len(s.Expected) > maxExpected {
		c.add("expected", "%d expectations; at most %d are allowed", len(s.Expected), maxExpected)
	}
	ids := map[string]bool{}
	for _, in := range s.Injects {
		ids[in.ID] = true
	}
	for i, e := range s.Expected {
		path := fmt.Sprintf("expected[%d]", i)
		c.text(path+".text", e.Text, true, maxExpectation, `say what the responders should do, e.g. text: "Raise the severity to critical"`)
		c.singleLine(path+".text", e.Text)
		switch err := e.Event.Check(false); {
		case e.Event == "":
			c.add(path+".event", "required: the event that meets it, e.g. event: first_update")
		case err != nil:
			c.add(path+".event", "%v", err)
		default:
			if id, ok := strings.CutPrefix(string(e.Event), "inject:"); ok && !ids[id] {
				c.add(path+".event", "no inject has the id %q; use the id of an inject of this scenario", id)
			}
		}
		c.offset(path+".within", e.Within, limit, true)
	}
}
