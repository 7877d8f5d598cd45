package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// runPage pages the on-call of an incident through PagerDuty by hand:
// the incident's own service, or --service. The workflow sends the page
// beside everything else, so the verb returns once the incident has
// accepted it; the war room says when PagerDuty has taken it. Paging the
// same service again sends nothing new ("already").
func runPage(ctx context.Context, args []string, out io.Writer) error {
	f, id, who, key := actingOnIncident("page", "[--service S]")
	service := f.fs.String("service", "", "the service whose on-call to page (default: the incident's own service)")
	checkService := func() error {
		if strings.TrimSpace(*service) != *service {
			return fmt.Errorf("--service %q has spaces around it: give the service's name as configured under services", *service)
		}
		return incident.CheckName("--service", *service)
	}
	return withIncident(ctx, f, args, id, who, func(op *incidentOps) (any, string, error) {
		outcome, err := op.Page(key.context(ctx, "page"), op.id, wfapi.PageRequest{By: op.who.attribution(), Service: *service, Operator: true})
		result, human, err := op.done("page", pagedSummary(op.id, outcome), err)
		if err == nil {
			if m, ok := result.(map[string]any); ok {
				m["page"] = outcome
			}
		}
		return key.done(result, human, err)
	}, out, checkService)
}

// pagedSummary is the human summary of a page by hand.
func pagedSummary(id string, out wfapi.PageOutcome) string {
	target := "the default on-call"
	if out.Service != "" {
		target = "the on-call of " + out.Service
	}
	if out.Already {
		return fmt.Sprintf("%s was paged for incident %s already (PagerDuty dedup key %s); nothing new was sent", strings.ToUpper(target[:1])+target[1:], id, out.DedupKey)
	}
	return fmt.Sprintf("Paging %s for incident %s through PagerDuty (dedup key %s); the war room will say when PagerDuty has taken the page", target, id, out.DedupKey)
}
