package insightsdoor

import (
	"fmt"
	"math"
	"time"

	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/insights/insightstext"
)

// Chart geometry, in SVG user units (the charts scale to the page's width).
const (
	chartWidth  = 640
	chartLeft   = 64 // room for the y axis' labels
	chartRight  = 16
	chartTop    = 12
	chartBottom = 28 // room for the x axis' labels
	barHeight   = 200
	// dotRowHeight is the height of one severity's row in a dot plot.
	dotRowHeight = 36
	// maxXLabels bounds the labels under a bar chart's bars.
	maxXLabels = 12
)

// tick is a labelled position on an axis.
type tick struct {
	Pos   float64
	Label string
}

// bar is one bar of a bar chart; Tip is its tooltip.
type bar struct {
	X, Y, W, H float64
	Tip        string
}

// barChart is a bar chart ready to draw.
type barChart struct {
	ID, Title     string
	Width, Height float64
	// Left, Right and Base bound the plot: the y axis is at Left, the x
	// axis at Base.
	Left, Right, Base float64
	Bars              []bar
	YTicks, XLabels   []tick
	// Empty says there is nothing to draw (no period, or no value).
	Empty bool
}

// dot is one incident in a dot plot.
type dot struct {
	X, Y float64
	Tip  string
}

// dotRow is one severity's row of a dot plot, with the median marked.
type dotRow struct {
	Label       string
	Y, Top, Bot float64
	Dots        []dot
	// Median is the x of the row's median (HasMedian when it has one).
	Median    float64
	HasMedian bool
	MedianTip string
}

// dotChart is a dot plot of durations by severity on a logarithmic axis.
type dotChart struct {
	ID, Title     string
	Width, Height float64
	Left, Right   float64
	Base          float64
	Rows          []dotRow
	XTicks        []tick
	Empty         bool
}

// barValue is one bar's value, its label under the axis and its tooltip.
type barValue struct {
	Value float64
	Label string
	Tip   string
}

// newBarChart lays out values as bars from 0 up, the y axis ending on a
// round number of units and labelled by format.
func newBarChart(id, title string, values []barValue, unit float64, format func(float64) string) barChart {
	c := barChart{ID: id, Title: title, Width: chartWidth, Height: barHeight + chartTop + chartBottom,
		Left: chartLeft, Right: chartWidth - chartRight, Base: barHeight + chartTop}
	top := 0.0
	for _, v := range values {
		top = math.Max(top, v.Value)
	}
	if len(values) == 0 || top == 0 {
		c.Empty = true
		return c
	}
	top = niceCeil(top/unit) * unit
	for i := range 3 {
		v := top * float64(i) / 2
		c.YTicks = append(c.YTicks, tick{Pos: c.Base - barHeight*v/top, Label: format(v)})
	}
	slot := (c.Right - c.Left) / float64(len(values))
	every := (len(values) + maxXLabels - 1) / maxXLabels
	for i, v := range values {
		h := barHeight * v.Value / top
		x := c.Left + slot*float64(i)
		if h > 0 { // a period of none keeps its slot, empty
			c.Bars = append(c.Bars, bar{X: x + slot*0.1, Y: c.Base - h, W: slot * 0.8, H: h, Tip: v.Tip})
		}
		if i%every == 0 {
			c.XLabels = append(c.XLabels, tick{Pos: x + slot/2, Label: v.Label})
		}
	}
	return c
}

// perWeekChart is the incidents declared each week.
func perWeekChart(weeks []insights.Count) barChart {
	values := make([]barValue, len(weeks))
	for i, w := range weeks {
		values[i] = barValue{Value: float64(w.Count), Label: w.Start.Format("Jan 2"),
			Tip: fmt.Sprintf("week of %s: %d %s", w.Start.Format(time.DateOnly), w.Count, plural(w.Count, "incident", "incidents"))}
	}
	return newBarChart("chart-per-week", "Incidents per week", values, 1, func(v float64) string { return fmt.Sprintf("%g", v) })
}

// mttrChart is the mean time to resolve of each month.
func mttrChart(months []insights.Mean) barChart {
	values := make([]barValue, len(months))
	longest := 0.0
	for i, m := range months {
		longest = math.Max(longest, m.MeanSeconds)
		tip := fmt.Sprintf("%s: no incident resolved", m.Start.Format("January 2006"))
		if m.Count > 0 {
			tip = fmt.Sprintf("%s: mean %s over %d %s", m.Start.Format("January 2006"), insightstext.Duration(m.MeanSeconds), m.Count, plural(m.Count, "incident", "incidents"))
		}
		values[i] = barValue{Value: m.MeanSeconds, Label: m.Start.Format("Jan 2006"), Tip: tip}
	}
	return newBarChart("chart-mttr", "Mean time to resolve per month", values, durationUnit(longest), insightstext.Duration)
}

// span is one incident's time to a milestone, in seconds.
type span struct {
	id, title string
	seconds   float64
}

// logTicks are the positions a logarithmic duration axis may be labelled
// at, in seconds.
var logTicks = []float64{1, 10, 60, 5 * 60, 15 * 60, 3600, 4 * 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400}

// newDotChart lays out each severity's durations on one logarithmic axis,
// each row with its median marked. rows are in the order given.
func newDotChart(id, title string, severities []string, spans map[string][]span, medians map[string]insights.Stat) dotChart {
	c := dotChart{ID: id, Title: title, Width: chartWidth, Left: chartLeft + 24, Right: chartWidth - chartRight}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, sev := range severities {
		for _, s := range spans[sev] {
			lo, hi = math.Min(lo, math.Max(s.seconds, 1)), math.Max(hi, math.Max(s.seconds, 1))
		}
	}
	if math.IsInf(lo, 1) {
		c.Empty = true
		c.Height = chartTop + chartBottom
		return c
	}
	lo, hi = logDomain(lo, hi)
	x := func(seconds float64) float64 {
		return c.Left + (c.Right-c.Left)*(math.Log(math.Max(seconds, 1))-math.Log(lo))/(math.Log(hi)-math.Log(lo))
	}
	y := float64(chartTop)
	for _, sev := range severities {
		if len(spans[sev]) == 0 {
			continue
		}
		row := dotRow{Label: sev, Top: y, Y: y + dotRowHeight/2, Bot: y + dotRowHeight}
		for i, s := range spans[sev] {
			// Dots spread over the row's height so that equal times
			// stay visible, the same way on every load.
			jitter := float64(i%7-3) * 3
			row.Dots = append(row.Dots, dot{X: x(s.seconds), Y: row.Y + jitter, Tip: s.id + " " + s.title + ": " + insightstext.Duration(s.seconds)})
		}
		if st := medians[sev]; st.Count > 0 {
			row.Median, row.HasMedian = x(st.MedianSeconds), true
			row.MedianTip = fmt.Sprintf("%s median %s over %d", sev, insightstext.Duration(st.MedianSeconds), st.Count)
		}
		c.Rows = append(c.Rows, row)
		y += dotRowHeight
	}
	c.Base = y
	c.Height = y + chartBottom
	for _, t := range logTicks {
		if t >= lo && t <= hi {
			c.XTicks = append(c.XTicks, tick{Pos: x(t), Label: insightstext.Duration(t)})
		}
	}
	return c
}

// logDomain widens [lo, hi] to the logTicks around it, at least one tick
// step wide.
func logDomain(lo, hi float64) (float64, float64) {
	from, to := logTicks[0], logTicks[len(logTicks)-1]
	for _, t := range logTicks {
		if t <= lo {
			from = t
		}
	}
	for i := len(logTicks) - 1; i >= 0; i-- {
		if logTicks[i] >= hi {
			to = logTicks[i]
		}
	}
	to = math.Max(to, hi)
	if to <= from {
		to = from * 10
	}
	return from, to
}

// durationUnit is the unit an axis up to longest seconds counts in:
// minutes, hours or days.
func durationUnit(longest float64) float64 {
	switch {
	case longest < 3600:
		return 60
	case longest < 2*86400:
		return 3600
	}
	return 86400
}

// niceCeil is the smallest 1, 2 or 5 times a power of ten at least v (v >
// 0), so that an axis ends on a round number.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// plural is one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
