// Package metrics exposes incidentflow's Prometheus metrics on /metrics: the
// front door's requests and how fast they were acknowledged; the incidents'
// milestones (declared, acknowledged, mitigated, resolved, reminders,
// escalations) as the workflows reach them; the Slack activities' errors
// and rate limits; the incidents open now, read from Temporal's
// visibility; the Temporal SDK's worker metrics; and the Go runtime and
// process collectors.
package metrics

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds incidentflow's metrics.
type Registry struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// registered are the collectors of reg, for Names.
	registered []prometheus.Collector
}

// New returns a registry with the runtime, process and HTTP metrics, and
// the process-wide incident, Slack and Temporal SDK metrics.
func New() *Registry {
	r := &Registry{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "incidentflow_http_requests_total",
			Help: "Requests to the front door by path and status code.",
		}, []string{"path", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "incidentflow_http_request_seconds",
			Help:    "Time to answer a front-door request (Slack wants an answer within 3 s).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 5},
		}, []string{"path"}),
	}
	r.register(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		r.requests, r.latency, sdk,
	)
	r.register(process.collectors()...)
	return r
}

func (r *Registry) register(cs ...prometheus.Collector) {
	r.reg.MustRegister(cs...)
	r.registered = append(r.registered, cs...)
}

// fqName picks a metric's name out of its Desc's String.
var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

// Names lists the names of the metric families r can expose: every
// registered metric, whether or not it has a value yet, and the Temporal
// SDK's metrics emitted so far. A histogram is named without its _bucket,
// _sum and _count suffixes.
func (r *Registry) Names() ([]string, error) {
	names := map[string]bool{}
	descs := make(chan *prometheus.Desc)
	go func() {
		for _, c := range r.registered {
			c.Describe(descs)
		}
		close(descs)
	}()
	for d := range descs {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			names[m[1]] = true
		}
	}
	families, err := r.reg.Gather()
	for _, f := range families {
		names[f.GetName()] = true
	}
	return slices.Sorted(maps.Keys(names)), err
}

// Handler serves the metrics in the Prometheus text format.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}

// Instrument counts and times every request next serves.
func (r *Registry) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, req)
		path := req.URL.Path
		if len(path) > 64 {
			path = path[:64]
		}
		r.requests.WithLabelValues(path, strconv.Itoa(rec.code)).Inc()
		r.latency.WithLabelValues(path).Observe(time.Since(start).Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}
