package metrics

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.temporal.io/sdk/client"
)

// SDKBuckets are the buckets, in seconds, of the Temporal SDK's timers
// (task latencies, request latencies).
var SDKBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// SDKHandler returns the Temporal SDK metrics handler of this process: set
// it as the client's MetricsHandler (the worker does) and the SDK's
// metrics (task latencies, slots, pollers, requests) appear on every
// Registry's /metrics as temporal_*; counters get the suffix _total and
// timers become histograms in seconds with the suffix _seconds. The
// incident milestones a workflow emits through workflow.GetMetricsHandler
// (replay-safe: nothing is emitted while a workflow replays) go to the
// incidentflow_* metrics of that name.
func SDKHandler() client.MetricsHandler { return sdkHandler{made: &sync.Map{}} }

// sdkHandler is a handler with tags. The SDK asks it for a metric by name
// each time it records one (a few times per workflow task); made keeps
// what each name gave, since a handler's tags never change.
type sdkHandler struct {
	tags map[string]string
	made *sync.Map // kind + name → client.MetricsCounter, MetricsGauge or MetricsTimer
}

// metric returns what build gives for key, built once per handler.
func metric[M any](h sdkHandler, key string, build func() M) M {
	if v, ok := h.made.Load(key); ok {
		return v.(M)
	}
	v, _ := h.made.LoadOrStore(key, build())
	return v.(M)
}

func (h sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	return sdkHandler{tags: merged, made: &sync.Map{}}
}

func (h sdkHandler) Counter(name string) client.MetricsCounter {
	return metric(h, "c"+name, func() client.MetricsCounter {
		if c, ok := process.counter(name, h.tags); ok {
			return counterFunc(func(n int64) { c.Add(float64(n)) })
		}
		s := sdk.series(counterName(name), dto.MetricType_COUNTER, h.tags)
		return counterFunc(func(n int64) { s.add(float64(n)) })
	})
}

func (h sdkHandler) Gauge(name string) client.MetricsGauge {
	return metric(h, "g"+name, func() client.MetricsGauge {
		return gaugeFunc(sdk.series(sanitize(name), dto.MetricType_GAUGE, h.tags).set)
	})
}

func (h sdkHandler) Timer(name string) client.MetricsTimer {
	return metric(h, "t"+name, func() client.MetricsTimer {
		if o, ok := process.histogram(name, h.tags); ok {
			return timerFunc(func(d time.Duration) { o.Observe(d.Seconds()) })
		}
		s := sdk.series(timerName(name), dto.MetricType_HISTOGRAM, h.tags)
		return timerFunc(func(d time.Duration) { s.observe(d.Seconds()) })
	})
}

type counterFunc func(int64)

func (f counterFunc) Inc(n int64) { f(n) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }

// counterName is the Prometheus name of the SDK counter name.
func counterName(name string) string {
	name = sanitize(name)
	if strings.HasSuffix(name, "_total") {
		return name
	}
	return name + "_total"
}

// timerName is the Prometheus name of the SDK timer name.
func timerName(name string) string {
	name = sanitize(name)
	if strings.HasSuffix(name, "_seconds") {
		return name
	}
	return name + "_seconds"
}

// sanitize makes s a valid Prometheus metric or label name.
func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9'
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}

// sdkCollector holds the SDK's metrics, which arrive by name with
// whatever tags the SDK has at hand: the same metric can come with
// different tag names from different parts of the SDK. At each scrape a
// family is exposed with the union of its series' label names, a label a
// series lacks being empty (which Prometheus reads as absent).
type sdkCollector struct {
	mu       sync.Mutex
	families map[string]*sdkFamily
}

var sdk = &sdkCollector{families: map[string]*sdkFamily{}}

type sdkFamily struct {
	kind   dto.MetricType
	series map[string]*sdkSeries // by labelKey
}

// sdkSeries is one series; a metric of a kind other than its family's
// (the SDK never does that) is dropped.
type sdkSeries struct {
	labels map[string]string
	mu     sync.Mutex
	value  float64
	hist   prometheus.Histogram // for HISTOGRAM families
	drop   bool
}

func (c *sdkCollector) series(name string, kind dto.MetricType, tags map[string]string) *sdkSeries {
	labels := make(map[string]string, len(tags))
	for k, v := range tags {
		labels[sanitize(k)] = v
	}
	key := labelKey(labels)
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.families[name]
	if !ok {
		f = &sdkFamily{kind: kind, series: map[string]*sdkSeries{}}
		c.families[name] = f
	}
	if f.kind != kind {
		return &sdkSeries{drop: true}
	}
	s, ok := f.series[key]
	if !ok {
		s = &sdkSeries{labels: labels}
		if kind == dto.MetricType_HISTOGRAM {
			s.hist = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Buckets: SDKBuckets})
		}
		f.series[key] = s
	}
	return s
}

func labelKey(labels map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(labels[k])
		b.WriteByte(0)
	}
	return b.String()
}

func (s *sdkSeries) add(v float64) {
	if s.drop {
		return
	}
	s.mu.Lock()
	s.value += v
	s.mu.Unlock()
}

func (s *sdkSeries) set(v float64) {
	if s.drop {
		return
	}
	s.mu.Lock()
	s.value = v
	s.mu.Unlock()
}

func (s *sdkSeries) observe(v float64) {
	if !s.drop {
		s.hist.Observe(v)
	}
}

// Describe sends nothing: the collector is unchecked, its families known
// only once the SDK has emitted them.
func (c *sdkCollector) Describe(chan<- *prometheus.Desc) {}

// Collect exposes every family with the union of its series' labels.
func (c *sdkCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, f := range c.families {
		names := map[string]bool{}
		for _, s := range f.series {
			for k := range s.labels {
				names[k] = true
			}
		}
		labelNames := slices.Sorted(maps.Keys(names))
		desc := prometheus.NewDesc(name, "Temporal SDK metric "+name+".", labelNames, nil)
		for _, s := range f.series {
			values := make([]string, len(labelNames))
			for i, k := range labelNames {
				values[i] = s.labels[k]
			}
			ch <- s.metric(desc, f.kind, values)
		}
	}
}

func (s *sdkSeries) metric(desc *prometheus.Desc, kind dto.MetricType, values []string) prometheus.Metric {
	switch kind {
	case dto.MetricType_HISTOGRAM:
		var m dto.Metric
		if err := s.hist.Write(&m); err != nil {
			return prometheus.NewInvalidMetric(desc, err)
		}
		h := m.GetHistogram()
		buckets := make(map[float64]uint64, len(h.GetBucket()))
		for _, b := range h.GetBucket() {
			buckets[b.GetUpperBound()] = b.GetCumulativeCount()
		}
		return prometheus.MustNewConstHistogram(desc, h.GetSampleCount(), h.GetSampleSum(), buckets, values...)
	case dto.MetricType_COUNTER:
		s.mu.Lock()
		defer s.mu.Unlock()
		return prometheus.MustNewConstMetric(desc, prometheus.CounterValue, s.value, values...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, s.value, values...)
}
