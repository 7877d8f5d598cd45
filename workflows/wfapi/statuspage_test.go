package wfapi

import (
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/incident"
)

func TestPublishStatusPageRequestCheck(t *testing.T) {
	ok := PublishStatusPageRequest{By: "U1", Name: "Degraded service: checkout", Body: "Some payments fail.",
		Status: "identified", Impact: "major", Components: map[string]string{"cmp_1": "partial_outage"}}
	if err := ok.Check(); err != nil {
		t.Fatalf("a good request: %v", err)
	}
	for name, c := range map[string]struct {
		edit func(*PublishStatusPageRequest)
		want string
	}{
		"no name":        {func(r *PublishStatusPageRequest) { r.Name = " " }, "needs a public title"},
		"no body":        {func(r *PublishStatusPageRequest) { r.Body = "" }, "needs text"},
		"long name":      {func(r *PublishStatusPageRequest) { r.Name = strings.Repeat("n", MaxPublicName+1) }, "the public title"},
		"long body":      {func(r *PublishStatusPageRequest) { r.Body = strings.Repeat("b", incident.MaxText+1) }, "the public text"},
		"resolved":       {func(r *PublishStatusPageRequest) { r.Status = "resolved" }, "resolve it, and the status page follows"},
		"status":         {func(r *PublishStatusPageRequest) { r.Status = "fixed" }, `unknown public status "fixed"`},
		"impact":         {func(r *PublishStatusPageRequest) { r.Impact = "huge" }, `unknown impact "huge"`},
		"component id":   {func(r *PublishStatusPageRequest) { r.Components = map[string]string{"a b": "operational"} }, "isn't a Statuspage component ID"},
		"component stat": {func(r *PublishStatusPageRequest) { r.Components = map[string]string{"c1": "down"} }, `component c1: unknown status "down"`},
	} {
		r := ok
		c.edit(&r)
		if err := r.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	up := PostStatusRequest{Author: "U1", Text: "internal", Public: &PublicUpdate{Body: " "}}
	if err := up.Check(); err == nil || !strings.Contains(err.Error(), "the internal update never goes public") {
		t.Errorf("an update whose public part has no text: %v", err)
	}
	if got := PublicStatusOf(incident.Mitigated); got != PublicMonitoring {
		t.Errorf("mitigated reads %q", got)
	}
}
