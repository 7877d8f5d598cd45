package incident_test

import (
	"testing"

	"github.com/incidentflow/incidentflow/incident"
)

func TestPagingFacts(t *testing.T) {
	p := incident.DefaultProcess()
	if p.PagesOn(incident.Critical, "") {
		t.Error("a process with no routing key pages")
	}
	p.Services = map[string]incident.Service{"checkout": {Paged: true, OnCall: true}, "search": {}}
	if !p.PagesOn(incident.Critical, "checkout") || p.PagesOn(incident.Critical, "search") || p.PagesOn(incident.Major, "checkout") {
		t.Error("only critical pages, and only a service with a routing key of its own without a default")
	}
	p.Paging = true
	if !p.PagesOn(incident.Critical, "search") || !p.Pageable("") {
		t.Error("the default routing key does not page")
	}
	if !p.CanLookUpOnCall("checkout") || p.CanLookUpOnCall("search") {
		t.Error("on-call look-up follows the services' escalation policies")
	}
	for s, want := range map[incident.Severity]string{incident.Critical: "critical", incident.Major: "error", incident.Minor: "warning", "sev9": "critical"} {
		if got := p.PagerDutySeverity(s); got != want {
			t.Errorf("PagerDutySeverity(%s) = %s, want %s", s, got, want)
		}
	}
	p.Severities = append(p.Severities, incident.SeverityPolicy{Name: "cosmetic"})
	if got := p.PagerDutySeverity("cosmetic"); got != "info" {
		t.Errorf("a fourth severity pages as %s, want info", got)
	}
}
