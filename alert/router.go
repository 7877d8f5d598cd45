package alert

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/incidentflow/incidentflow/incident"
)

// Mode is what a notification starts.
type Mode string

// The modes of a route.
const (
	// ModeDeclare declares an incident for the group.
	ModeDeclare Mode = "declare"
	// ModeTriage posts the group in the triage channel for a person to
	// declare or dismiss.
	ModeTriage Mode = "triage"
	// ModeIgnore drops the notification.
	ModeIgnore Mode = "ignore"
)

// NoRoute is Decision.RouteIndex when no route matched.
const NoRoute = -1

// Decision is what the Router decided for a notification.
type Decision struct {
	Mode Mode `json:"mode"`
	// Service is the route's service, or the group's service label.
	Service string `json:"service,omitempty"`
	// Severity is a configured severity; empty only in triage and ignore
	// modes when nothing named one.
	Severity incident.Severity `json:"severity,omitempty"`
	// Title is the incident's title (at most 200 bytes, one line).
	Title       string `json:"title"`
	AutoResolve bool   `json:"auto_resolve,omitempty"`
	// RouteIndex is the index in alerts.routes of the route that matched,
	// or NoRoute.
	RouteIndex int `json:"route_index"`
	// Reason says in one line why, for logs and the timeline.
	Reason string `json:"reason"`
}

// Router decides what each notification starts: the first route whose
// matchers all match the group's common labels wins, and a notification no
// route matches goes to triage.
type Router struct {
	routes     []route
	severities []incident.Severity
}

// route is a compiled RouteConfig.
type route struct {
	key           string // alerts.routes[i]
	matchers      []*labels.Matcher
	service       string
	severity      incident.Severity
	severityLabel string
	severityMap   map[string]incident.Severity
	mode          Mode
	title         *template.Template
	autoResolve   bool
}

// unrouted decides for notifications no route matches: triage, with the
// severity label's value when it names a configured severity.
var unrouted = route{key: "no route", mode: ModeTriage, severityLabel: "severity"}

// NewRouter compiles c's routes. severities are the configured ones: route
// severities and severity_map values must name one, and a severity label's
// value is taken as it is only when it names one. The error lists every
// problem, one per line, each naming its key.
func NewRouter(c Config, severities []incident.Severity) (*Router, error) {
	routes, ps := compileRoutes(c.Routes, severities)
	if len(ps) > 0 {
		return nil, errors.New("invalid alerts.routes:\n  " + strings.Join(ps, "\n  "))
	}
	return &Router{routes: routes, severities: severities}, nil
}

// compileRoutes compiles rs and returns the problems found, naming each
// key. With severities nil, severity names are not checked.
func compileRoutes(rs []RouteConfig, severities []incident.Severity) ([]route, []string) {
	var ps []string
	routes := make([]route, len(rs))
	for i, rc := range rs {
		key := fmt.Sprintf("alerts.routes[%d]", i)
		bad := func(sub, format string, args ...any) {
			ps = append(ps, key+sub+": "+fmt.Sprintf(format, args...))
		}
		checkSeverity := func(sub, s string) incident.Severity {
			sev := incident.Severity(strings.ToLower(s))
			if severities != nil && !slices.Contains(severities, sev) {
				bad(sub, "%q is not a configured severity: use one of %s", s, joinSeverities(severities))
			}
			return sev
		}
		r := route{key: key, service: rc.Service, mode: Mode(rc.Mode), severityLabel: rc.SeverityLabel, autoResolve: rc.AutoResolve}
		for j, m := range rc.Matchers {
			ms, err := labels.ParseMatchers(m)
			if err != nil {
				bad(fmt.Sprintf(".matchers[%d]", j), "%v (Alertmanager syntax, e.g. service=\"checkout\" or severity=~\"critical|page\")", err)
			}
			r.matchers = append(r.matchers, ms...)
		}
		switch r.mode {
		case ModeDeclare, ModeTriage, ModeIgnore:
		case "":
			bad(".mode", "missing: use declare, triage or ignore")
		default:
			bad(".mode", "%q: use declare, triage or ignore", rc.Mode)
		}
		if rc.Severity != "" {
			r.severity = checkSeverity(".severity", rc.Severity)
		}
		if len(rc.SeverityMap) > 0 && rc.SeverityLabel == "" {
			bad(".severity_map", "needs severity_label, the label whose values it translates")
		}
		for _, from := range incident.SortedKeys(rc.SeverityMap) {
			if r.severityMap == nil {
				r.severityMap = make(map[string]incident.Severity, len(rc.SeverityMap))
			}
			r.severityMap[strings.ToLower(from)] = checkSeverity(".severity_map."+from, rc.SeverityMap[from])
		}
		if r.mode == ModeDeclare && rc.Severity == "" && rc.SeverityLabel == "" {
			bad("", "mode declare needs severity, or severity_label with severity_map")
		}
		if rc.Title != "" {
			t, err := template.New(key + ".title").Option("missingkey=zero").Parse(rc.Title)
			if err != nil {
				bad(".title", "%v", err)
			}
			r.title = t
		}
		routes[i] = r
	}
	return routes, ps
}

func joinSeverities(ss []incident.Severity) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// Route decides what n starts.
func (rt *Router) Route(n Notification) Decision {
	for i, r := range rt.routes {
		if r.matches(n.CommonLabels) {
			return rt.decide(r, i, n)
		}
	}
	return rt.decide(unrouted, NoRoute, n)
}

// matches reports whether every matcher matches ls; a missing label is the
// empty string, as in Alertmanager.
func (r route) matches(ls map[string]string) bool {
	for _, m := range r.matchers {
		if !m.Matches(ls[m.Name]) {
			return false
		}
	}
	return true
}

func (rt *Router) decide(r route, index int, n Notification) Decision {
	d := Decision{
		Mode:        r.mode,
		Service:     r.service,
		Title:       r.renderTitle(n),
		AutoResolve: r.autoResolve,
		RouteIndex:  index,
		Reason:      "matched " + r.key,
	}
	if index == NoRoute {
		d.Reason = "no route matched"
	}
	if d.Service == "" {
		d.Service = clip(n.CommonLabels["service"], incident.MaxName)
	}
	sev, why := rt.severity(r, n)
	d.Severity = sev
	if sev == "" && d.Mode == ModeDeclare {
		d.Mode = ModeTriage
		d.Reason = fmt.Sprintf("%s declares, but %s: posted for triage", r.key, why)
	}
	return d
}

// severity resolves r's severity for n, or says why it has none.
func (rt *Router) severity(r route, n Notification) (incident.Severity, string) {
	if r.severityLabel == "" {
		return r.severity, "the route names no severity"
	}
	value, ok := n.CommonLabels[r.severityLabel]
	v := strings.ToLower(value)
	if s, ok := r.severityMap[v]; ok {
		return s, ""
	}
	if slices.Contains(rt.severities, incident.Severity(v)) {
		return incident.Severity(v), ""
	}
	if r.severity != "" {
		return r.severity, ""
	}
	if !ok {
		return "", fmt.Sprintf("the group has no common %s label", r.severityLabel)
	}
	return "", fmt.Sprintf("label %s=%q names no configured severity", r.severityLabel, clip(value, maxNameLen))
}
