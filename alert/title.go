package alert

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/incidentflow/incidentflow/incident"
)

// maxTitle is the longest incident title a route renders: the longest an
// incident may have.
const maxTitle = incident.MaxTitle

// maxTemplateOutput stops a title template that writes far more than a
// title.
const maxTemplateOutput = 4 << 10

// renderTitle renders r's title template over n, falling back to
// fallbackTitle when there is none, it fails or it renders only spaces.
func (r route) renderTitle(n Notification) string {
	if r.title != nil {
		var w limitedWriter
		if err := r.title.Execute(&w, n); err == nil {
			if t := oneLine(w.b.String()); t != "" {
				return incident.Truncate(t, maxTitle)
			}
		}
	}
	return incident.Truncate(fallbackTitle(n), maxTitle)
}

// fallbackTitle names a group from its common summary annotation,
// Grafana's title, or its alert name and other group labels.
func fallbackTitle(n Notification) string {
	if t := oneLine(n.CommonAnnotations["summary"]); t != "" {
		return t
	}
	if t := oneLine(n.Title); t != "" {
		return t
	}
	name := n.GroupLabels["alertname"]
	if name == "" {
		name = n.CommonLabels["alertname"]
	}
	if name == "" {
		name = fmt.Sprintf("Alerts from %s", n.Source)
	}
	if rest := labelList(n.GroupLabels, "alertname"); rest != "" {
		name += " (" + rest + ")"
	}
	return oneLine(name)
}

// labelList renders ls as "k=v, k=v" in name order, without the names
// in skip.
func labelList(ls map[string]string, skip ...string) string {
	var parts []string
	for _, k := range incident.SortedKeys(ls) {
		if !slices.Contains(skip, k) {
			parts = append(parts, k+"="+ls[k])
		}
	}
	return strings.Join(parts, ", ")
}

// oneLine collapses every run of white space in s to one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// limitedWriter keeps what a template writes, failing past
// maxTemplateOutput.
type limitedWriter struct{ b strings.Builder }

var errTemplateOutput = errors.New("title template writes too much")

func (w *limitedWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > maxTemplateOutput {
		return 0, errTemplateOutput
	}
	return w.b.Write(p)
}
