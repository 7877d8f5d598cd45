// Package frontdoor builds the one HTTP mux of incidentflow's front-door
// listener (http.listen): every inbound route is registered here and only
// here. Each way in is a door package that parses and authenticates its
// protocol and calls the starter package; this package mounts each door on
// its paths beside the health and metrics endpoints:
//
//	GET  /healthz              the process is up
//	GET  /readyz               Temporal is reachable (200) or not (503)
//	GET  /metrics              Prometheus metrics of every route
//	POST /slack/commands       slash commands        (slackdoor)
//	POST /slack/interactions   buttons, modals       (slackdoor)
//	POST /slack/events         Events API            (slackdoor)
//	POST /alerts/alertmanager  Alertmanager webhooks (alertdoor)
//	POST /alerts/grafana       Grafana webhooks      (alertdoor)
//	POST /alerts/webhook       plain JSON alerts     (alertdoor)
//	POST /codec/decode         Temporal codec server (codecdoor),
//	POST /codec/encode         with their CORS preflights (OPTIONS)
//	POST /pagerduty/webhook    PagerDuty webhooks v3 (pagerdutydoor)
//	GET  /insights             the insights page     (insightsdoor)
//	GET  /insights.json        its figures as JSON   (insightsdoor)
//
// A new door gets its routes in New and a field in Doors; docs/architecture.md
// says where its package goes.
package frontdoor

import (
	"io"
	"net/http"

	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/frontdoor/alertdoor"
	"github.com/incidentflow/incidentflow/frontdoor/codecdoor"
	"github.com/incidentflow/incidentflow/frontdoor/insightsdoor"
	"github.com/incidentflow/incidentflow/frontdoor/pagerdutydoor"
	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
	"github.com/incidentflow/incidentflow/internal/metrics"
)

// Doors are the doors a front door serves; a nil door's routes answer 404.
type Doors struct {
	// Slack serves /slack/*.
	Slack *slackdoor.FrontDoor
	// Alerts serves /alerts/*.
	Alerts *alertdoor.Door
	// Codec serves /codec/*; nil when no payload codec is configured.
	Codec *codecdoor.Door
	// Ready serves GET /readyz (health.Probe's handler); nil answers 404.
	Ready http.Handler
	// PagerDuty serves /pagerduty/webhook; nil when
	// paging.pagerduty.webhook_secret is empty.
	PagerDuty *pagerdutydoor.Door
	// Insights serves /insights and /insights.json (each answers 405 to
	// anything but GET and HEAD).
	Insights *insightsdoor.Door
}

// New returns the front door's handler: every route of doors, /healthz and
// /metrics, each request counted and timed in reg (a new registry when
// nil).
func New(doors Doors, reg *metrics.Registry) http.Handler {
	if reg == nil {
		reg = metrics.New()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /metrics", reg.Handler())
	if doors.Ready != nil {
		mux.Handle("GET /readyz", doors.Ready)
	}
	if s := doors.Slack; s != nil {
		mux.Handle("POST /slack/commands", s.Commands())
		mux.Handle("POST /slack/interactions", s.Interactions())
		mux.Handle("POST /slack/events", s.Events())
	}
	if a := doors.Alerts; a != nil {
		mux.Handle("POST /alerts/alertmanager", a.Handler(alert.SourceAlertmanager))
		mux.Handle("POST /alerts/grafana", a.Handler(alert.SourceGrafana))
		mux.Handle("POST /alerts/webhook", a.Handler(alert.SourceWebhook))
	}
	if c := doors.Codec; c != nil {
		mux.Handle("POST /codec/decode", c.Decode())
		mux.Handle("POST /codec/encode", c.Encode())
		mux.Handle("OPTIONS /codec/decode", c.Preflight())
		mux.Handle("OPTIONS /codec/encode", c.Preflight())
	}
	if p := doors.PagerDuty; p != nil {
		mux.Handle("POST /pagerduty/webhook", p.Handler())
	}
	if i := doors.Insights; i != nil {
		mux.Handle("/insights", i.Page())
		mux.Handle("/insights.json", i.JSON())
	}
	return reg.Instrument(mux)
}

// healthz answers "ok" while the process serves requests.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok\n")
}
