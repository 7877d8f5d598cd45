package metrics

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// OpenCacheFor is how long a count of open incidents is served before
// visibility is asked again, so that frequent scrapes of several
// processes don't each query Temporal.
const OpenCacheFor = 15 * time.Second

// openQueryTimeout bounds the visibility queries of one scrape.
const openQueryTimeout = 5 * time.Second

// CountOpenIncidents adds incidentflow_incidents_open{severity} to r: the
// real incidents (not drills or maintenance windows) whose workflow is
// running, per severity of severities, counted in c's visibility store of
// namespace when scraped (at most every OpenCacheFor). It is computed
// from Temporal, not from this process's memory, so every worker and
// front door reports the same figure: aggregate it with max, not sum. When
// Temporal can't answer, the metric is left out of that scrape.
func (r *Registry) CountOpenIncidents(c client.Client, namespace string, severities []string) {
	r.register(&openIncidents{
		client: c, namespace: namespace, severities: severities,
		desc: prometheus.NewDesc(IncidentsOpen, "Real incidents open now (drills and maintenance windows not counted), by severity, counted in Temporal's visibility.", []string{"severity"}, nil),
	})
}

type openIncidents struct {
	client     client.Client
	namespace  string
	severities []string
	desc       *prometheus.Desc

	mu     sync.Mutex
	at     time.Time // when counts were read; zero before the first read
	counts []int64   // per severity; nil when the last read failed
}

func (o *openIncidents) Describe(ch chan<- *prometheus.Desc) { ch <- o.desc }

func (o *openIncidents) Collect(ch chan<- prometheus.Metric) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.at.IsZero() || time.Since(o.at) >= OpenCacheFor {
		o.counts = o.read()
		o.at = time.Now()
	}
	for i, n := range o.counts {
		ch <- prometheus.MustNewConstMetric(o.desc, prometheus.GaugeValue, float64(n), o.severities[i])
	}
}

// read counts the open incidents of each severity; nil if any count failed.
func (o *openIncidents) read() []int64 {
	ctx, cancel := context.WithTimeout(context.Background(), openQueryTimeout)
	defer cancel()
	counts := make([]int64, len(o.severities))
	for i, sev := range o.severities {
		resp, err := o.client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
			Namespace: o.namespace, Query: openQuery(sev),
		})
		if err != nil {
			return nil
		}
		counts[i] = resp.GetCount()
	}
	return counts
}

// openQuery is the visibility query of the open real incidents of severity.
func openQuery(severity string) string {
	return fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND %s = '%s' AND %s = '%s'",
		wfapi.IncidentWorkflowName, wfapi.SearchKind.GetName(), incident.KindIncident,
		wfapi.SearchSeverity.GetName(), strings.ReplaceAll(severity, "'", "''"))
}
