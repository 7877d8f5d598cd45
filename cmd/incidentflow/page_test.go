package main

import (
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestPageFlagRefusals: page refuses a missing or malformed --incident and
// a --service no configuration could name, in one line, before reaching
// Temporal; flags that pass get as far as looking for it.
func TestPageFlagRefusals(t *testing.T) {
	dataDir := t.TempDir()
	hermetic(t, dataDir)
	t.Chdir(t.TempDir())
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"page"}, "incidentflow page: --incident is required: the ID `incidentflow declare` or `incidentflow list` printed, e.g. k7d3m2qa"},
		{[]string{"page", "--incident", "INC 1"}, `incidentflow page: --incident "INC 1" isn't an ID: IDs are lowercase letters, digits, - and _ (at most 64); give the ID ` +
			"`incidentflow declare` or `incidentflow list` printed, e.g. k7d3m2qa"},
		{[]string{"page", "--incident", "k7d3m2qa", "--service", " checkout"},
			`incidentflow page: --service " checkout" has spaces around it: give the service's name as configured under services`},
		{[]string{"page", "--incident", "k7d3m2qa", "--service", strings.Repeat("s", 101)},
			"incidentflow page: --service is 101 characters; incidentflow keeps at most 100 — shorten it"},
		{[]string{"page", "--incident", "k7d3m2qa", "--idempotency-key", "a b"}, ""},
	} {
		code, stderr := runVerb(tt.args)
		if tt.want == "" {
			if code == 0 || !strings.Contains(stderr, "--idempotency-key") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("incidentflow %q: exit %d, stderr %q", tt.args, code, stderr)
			}
			continue
		}
		if code == 0 || stderr != tt.want+"\n" {
			t.Errorf("incidentflow %q: exit %d, stderr\n%s\nwant\n%s", tt.args, code, stderr, tt.want)
		}
	}
	args := []string{"page", "--incident", "k7d3m2qa", "--service", "payments", "--json"}
	if code, stderr := runVerb(args); code == 0 || !strings.Contains(stderr, "incidentflow dev isn't running with data dir "+dataDir) {
		t.Errorf("incidentflow %q: exit %d, stderr %q; want it to look for dev in %s", args, code, stderr, dataDir)
	}
}

func TestPagedSummary(t *testing.T) {
	if got, want := pagedSummary("k7d3m2qa", wfapi.PageOutcome{DedupKey: "incidentflow/k7d3m2qa", Service: "checkout"}),
		"Paging the on-call of checkout for incident k7d3m2qa through PagerDuty (dedup key incidentflow/k7d3m2qa); the war room will say when PagerDuty has taken the page"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got, want := pagedSummary("k7d3m2qa", wfapi.PageOutcome{DedupKey: "incidentflow/k7d3m2qa", Already: true}),
		"The default on-call was paged for incident k7d3m2qa already (PagerDuty dedup key incidentflow/k7d3m2qa); nothing new was sent"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
