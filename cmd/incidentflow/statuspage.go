package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// statusPageVerbs are the subcommands of `incidentflow statuspage`.
var statusPageVerbs = []verb{
	{"publish", "put an incident on the public status page, or post an update there: --incident ID --name T --body B [--status S] [--impact I] [--component ID=status …]", runStatusPagePublish},
}

func statusPageVerb(ctx context.Context, args []string, out io.Writer) error {
	return subVerb(ctx, "statuspage", statusPageVerbs, args, out)
}

// runStatusPagePublish publishes an incident to the status page. The
// operator types the public text on the command line, nothing is
// prefilled, so the request says so (TypedByCommander); a security
// incident still goes public only when --as names its commander.
func runStatusPagePublish(ctx context.Context, args []string, out io.Writer) error {
	f, id, who, key := actingOnIncident("statuspage publish", "--name T --body B [--status S] [--impact I] [--component ID=status …]")
	name := f.fs.String("name", "", "the public title customers read, not the internal one (required)")
	body := f.fs.String("body", "", "the public text of this post (required)")
	status := f.fs.String("status", "", "investigating, identified or monitoring (default: follows the incident's status)")
	impact := f.fs.String("impact", "", "none, minor, major or critical (default: Statuspage derives it from the components)")
	comps := f.fs.StringArray("component", nil, "a Statuspage component and its status, ID=status (repeat for more): "+strings.Join(wfapi.ComponentStatuses, ", "))
	var req wfapi.PublishStatusPageRequest
	checkFlags := func() error {
		components, err := parseComponentFlags(*comps)
		if err != nil {
			return err
		}
		switch {
		case strings.TrimSpace(*name) == "":
			return errors.New("--name is required: the public title, e.g. \"Degraded service: checkout\"")
		case strings.TrimSpace(*body) == "":
			return errors.New("--body is required: what customers notice and what is being done")
		}
		req = wfapi.PublishStatusPageRequest{Name: *name, Body: *body, Status: *status, Impact: *impact, Components: components,
			TypedByCommander: true, Operator: true}
		return req.Check()
	}
	return withIncident(ctx, f, args, id, who, func(op *incidentOps) (any, string, error) {
		req.By = op.who.attribution()
		outcome, err := op.PublishStatusPage(key.context(ctx, "statuspage-publish"), op.id, req)
		human := "Queued an update of incident " + op.id + "'s public incident on the status page"
		if outcome.Created {
			human = "Queued incident " + op.id + " for the status page (its public incident is being created)"
		}
		human += fmt.Sprintf("; %d post(s) waiting; the timeline records each once Statuspage has it", outcome.Queued)
		result, summary, err := op.done("statuspage publish", human, err)
		if m, ok := result.(map[string]any); ok {
			m["statuspage"] = outcome
		}
		return key.done(result, summary, err)
	}, out, checkFlags)
}

// parseComponentFlags reads --component ID=status flags.
func parseComponentFlags(flags []string) (map[string]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, fl := range flags {
		id, status, ok := strings.Cut(fl, "=")
		id, status = strings.TrimSpace(id), strings.TrimSpace(status)
		if !ok || id == "" || status == "" {
			return nil, fmt.Errorf("--component %q: give ID=status, e.g. --component k7d3m2qa=partial_outage", incident.TruncateChars(fl, 80))
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("--component: component %s is named twice", incident.TruncateChars(id, 80))
		}
		out[id] = status
	}
	return out, nil
}
