package insightsdoor

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/insights/insightstext"
)

// maxRows bounds the incidents the page lists (the most recent ones);
// /insights.json has them all.
const maxRows = 500

//go:embed page.html.tmpl
var pageSource string

// pageTemplate writes the page; html/template escapes every value, the
// incidents' titles and names included.
var pageTemplate = template.Must(template.New("insights").Funcs(template.FuncMap{
	"num": func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
}).Parse(pageSource))

// figure is one labelled figure on the page; ID names it for tests and
// links.
type figure struct {
	ID, Label, Value string
	Note             string
}

// timeRow is one of time to acknowledge, mitigate and resolve.
type timeRow struct {
	ID, Label         string
	Count             int
	Median, P90, Mean string
	Definition        string
}

// groupRow is one severity, service, source or commander.
type groupRow struct {
	Name string
	// Filter, when set, is the link to the page showing only this group.
	Filter                   string
	Declared, Resolved, Open int
	MTTA, MTTM, MTTR         string
}

// groupTable is the figures by one dimension.
type groupTable struct {
	ID, Title string
	Rows      []groupRow
}

// incidentRow is one incident of the list.
type incidentRow struct {
	ID, Title, Severity, Service, Source, Commander string
	Declared, Acknowledged, Mitigated, Resolved     string
	// WarRoom links the incident's Slack channel, WebUI its workflow on
	// the Temporal Web UI; empty when unknown.
	WarRoom, WarRoomName, WebUI string
}

// form is what the filter form shows.
type form struct {
	Since, Until, Severity, Service string
	Severities                      []string
}

// page is everything the template draws.
type page struct {
	Period, Generated, Zone string
	Form                    form
	Counts                  []figure
	Times                   []timeRow
	Adherence, Follow       []figure
	PerWeek, MTTR           barChart
	Distributions           []dotChart
	Groups                  []groupTable
	Incidents               []incidentRow
	// Listed says how many of how many incidents the list shows.
	Listed, Total int
}

// drillsNote says drills are apart from the figures, and gives their
// scores by team when some were debriefed.
func drillsNote(rep insights.Report) string {
	if scores := insightstext.DrillScores(rep); scores != "" {
		return "not in the figures; scores by team: " + scores
	}
	return "not in the figures"
}

// renderPage writes p as HTML.
func renderPage(w io.Writer, p page) error { return pageTemplate.Execute(w, p) }

// newPage lays out rep for the page asked for with the (valid) query raw.
func newPage(rep insights.Report, proc *incident.Process, raw string) page {
	loc := proc.Location()
	q, _ := url.ParseQuery(raw)
	since := q.Get("since")
	if since == "" {
		since = DefaultSince
	}
	sevs := severityOrder(proc, rep)
	p := page{
		Period:    fmt.Sprintf("%s to %s", rep.Filter.Since.In(loc).Format("2006-01-02 15:04"), rep.Filter.Until.In(loc).Format("2006-01-02 15:04 MST")),
		Generated: rep.GeneratedAt.In(loc).Format("2006-01-02 15:04:05 MST"),
		Zone:      loc.String(),
		Form:      form{Since: since, Until: q.Get("until"), Severity: rep.Filter.Severity, Service: rep.Filter.Service, Severities: sevs},
		Counts: []figure{
			{ID: "declared", Label: "Declared", Value: strconv.Itoa(rep.Declared)},
			{ID: "resolved", Label: "Resolved", Value: strconv.Itoa(rep.Resolved)},
			{ID: "open", Label: "Open now", Value: strconv.Itoa(rep.Open)},
			{ID: "drills", Label: "Drills", Value: strconv.Itoa(rep.Drills), Note: drillsNote(rep)},
			{ID: "maintenance", Label: "Maintenance", Value: strconv.Itoa(rep.Maintenance), Note: "not in the figures"},
		},
		Times: []timeRow{
			newTimeRow("tta", "Time to acknowledge", rep.TimeToAcknowledge, "declared → first commander action or page acknowledged"),
			newTimeRow("ttm", "Time to mitigate", rep.TimeToMitigate, "declared → first mitigated or monitoring status"),
			newTimeRow("ttr", "Time to resolve", rep.TimeToResolve, "declared → resolved"),
		},
		Adherence: []figure{
			{ID: "updates-on-time", Label: "Status updates on time", Value: onTime(rep), Note: fmt.Sprintf("of %d update intervals that ended", rep.UpdateIntervals)},
			{ID: "reminders", Label: "Reminders sent", Value: strconv.Itoa(rep.Reminders)},
			{ID: "escalations", Label: "Escalations", Value: strconv.Itoa(rep.Escalations)},
			{ID: "roles-within-10m", Label: "Commander and spokesperson within 10 min", Value: strconv.Itoa(rep.RolesWithin10m), Note: fmt.Sprintf("of %d", rep.Declared)},
		},
		Follow: []figure{
			{ID: "retros-held", Label: "Retrospectives held", Value: strconv.Itoa(rep.Retrospectives.Held)},
			{ID: "postmortems", Label: "Postmortems written", Value: strconv.Itoa(rep.Retrospectives.PostmortemsWritten)},
			{ID: "retros-done", Label: "Retrospectives done", Value: strconv.Itoa(rep.Retrospectives.Done)},
			{ID: "items-opened", Label: "Action items opened", Value: strconv.Itoa(rep.ActionItems.Opened)},
			{ID: "items-closed", Label: "Action items closed", Value: strconv.Itoa(rep.ActionItems.Closed)},
			{ID: "items-overdue", Label: "Action items overdue", Value: strconv.Itoa(rep.ActionItems.Overdue)},
			{ID: "items-age", Label: "Median age of open items", Value: ageOf(rep.ActionItems)},
		},
		PerWeek: perWeekChart(rep.PerWeek),
		MTTR:    mttrChart(rep.MTTRPerMonth),
		Total:   len(rep.Incidents),
	}
	p.Distributions = distributions(rep, sevs)
	p.Groups = []groupTable{
		groupsOf("by-severity", "By severity", rep.BySeverity, sevs, func(name string) string {
			return Query(since, q.Get("until"), insights.Filter{Severity: name, Service: rep.Filter.Service})
		}),
		groupsOf("by-service", "By service", rep.ByService, nil, func(name string) string {
			return Query(since, q.Get("until"), insights.Filter{Severity: rep.Filter.Severity, Service: name})
		}),
		groupsOf("by-source", "By source", rep.BySource, nil, nil),
		groupsOf("by-commander", "By commander", rep.ByCommander, nil, nil),
	}
	list := rep.Incidents
	if len(list) > maxRows {
		list = list[len(list)-maxRows:]
	}
	for i := len(list) - 1; i >= 0; i-- { // the most recent first
		p.Incidents = append(p.Incidents, newIncidentRow(list[i], proc, loc))
	}
	p.Listed = len(p.Incidents)
	return p
}

func newTimeRow(id, label string, s insights.Stat, definition string) timeRow {
	r := timeRow{ID: id, Label: label, Count: s.Count, Median: "–", P90: "–", Mean: "–", Definition: definition}
	if s.Count > 0 {
		r.Median, r.P90, r.Mean = insightstext.Duration(s.MedianSeconds), insightstext.Duration(s.P90Seconds), insightstext.Duration(s.MeanSeconds)
	}
	return r
}

// groupsOf is the table of groups, in the order of first (then by name);
// filter, when not nil, links each row to the page showing it alone.
func groupsOf(id, title string, groups map[string]insights.Group, first []string, filter func(string) string) groupTable {
	t := groupTable{ID: id, Title: title}
	names := incident.SortedKeys(groups)
	rank := func(n string) int {
		if i := slices.Index(first, n); i >= 0 {
			return i
		}
		return len(first)
	}
	sort.SliceStable(names, func(i, j int) bool { return rank(names[i]) < rank(names[j]) })
	for _, name := range names {
		g := groups[name]
		row := groupRow{Name: name, Declared: g.Declared, Resolved: g.Resolved, Open: g.Open,
			MTTA: median(g.TimeToAcknowledge), MTTM: median(g.TimeToMitigate), MTTR: median(g.TimeToResolve)}
		if filter != nil && name != insights.NoneKey {
			row.Filter = "?" + filter(name)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func newIncidentRow(in insights.Incident, proc *incident.Process, loc *time.Location) incidentRow {
	r := incidentRow{ID: in.ID, Title: in.Title, Severity: in.Severity, Service: in.Service, Source: in.Source, Commander: in.Commander,
		Declared: clock(in.DeclaredAt, loc), Acknowledged: clock(in.AcknowledgedAt, loc), Mitigated: clock(in.MitigatedAt, loc), Resolved: clock(in.ResolvedAt, loc)}
	if in.ChannelID != "" {
		r.WarRoom = "https://slack.com/app_redirect?channel=" + url.QueryEscape(in.ChannelID)
		r.WarRoomName = "#" + in.Channel
		if in.Channel == "" {
			r.WarRoomName = "war room"
		}
	}
	if proc.WebUIURL != "" && in.WorkflowID != "" {
		r.WebUI = incident.WebUIWorkflowURL(proc.WebUIURL, proc.Namespace, in.WorkflowID)
	}
	return r
}

// distributions are the dot plots of time to acknowledge, mitigate and
// resolve, by severity.
func distributions(rep insights.Report, sevs []string) []dotChart {
	kinds := []struct {
		id, title string
		at        func(insights.Incident) time.Time
		stat      func(insights.Group) insights.Stat
	}{
		{"dist-tta", "Time to acknowledge by severity", func(i insights.Incident) time.Time { return i.AcknowledgedAt }, func(g insights.Group) insights.Stat { return g.TimeToAcknowledge }},
		{"dist-ttm", "Time to mitigate by severity", func(i insights.Incident) time.Time { return i.MitigatedAt }, func(g insights.Group) insights.Stat { return g.TimeToMitigate }},
		{"dist-ttr", "Time to resolve by severity", func(i insights.Incident) time.Time { return i.ResolvedAt }, func(g insights.Group) insights.Stat { return g.TimeToResolve }},
	}
	var charts []dotChart
	for _, k := range kinds {
		spans := map[string][]span{}
		for _, in := range rep.Incidents {
			if at := k.at(in); !at.IsZero() && !at.Before(in.DeclaredAt) {
				spans[in.Severity] = append(spans[in.Severity], span{id: in.ID, title: in.Title, seconds: at.Sub(in.DeclaredAt).Seconds()})
			}
		}
		medians := map[string]insights.Stat{}
		for name, g := range rep.BySeverity {
			medians[name] = k.stat(g)
		}
		charts = append(charts, newDotChart(k.id, k.title, sevs, spans, medians))
	}
	return charts
}

// severityOrder is the configured severities, then any other the report
// names, by name.
func severityOrder(proc *incident.Process, rep insights.Report) []string {
	sevs := proc.SeverityNames()
	var more []string
	for name := range rep.BySeverity {
		if !slices.Contains(sevs, name) {
			more = append(more, name)
		}
	}
	for _, in := range rep.Incidents {
		if !slices.Contains(sevs, in.Severity) && !slices.Contains(more, in.Severity) {
			more = append(more, in.Severity)
		}
	}
	sort.Strings(more)
	return append(sevs, more...)
}

func median(s insights.Stat) string {
	if s.Count == 0 {
		return "–"
	}
	return insightstext.Duration(s.MedianSeconds)
}

// onTime is the share of update intervals that ended with an update, or
// "–" when none ended.
func onTime(rep insights.Report) string {
	if rep.UpdateIntervals == 0 {
		return "–"
	}
	return insightstext.Percent(rep.UpdatesOnTimeRatio)
}

func ageOf(items insights.ItemFigures) string {
	if items.Opened-items.Closed <= 0 {
		return "–"
	}
	return insightstext.Duration(items.MedianOpenAgeSeconds)
}

// clock is t in loc as the list shows it, or "–" for none.
func clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "–"
	}
	return t.In(loc).Format("2006-01-02 15:04")
}
