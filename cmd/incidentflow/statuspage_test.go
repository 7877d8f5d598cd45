package main

import (
	"strings"
	"testing"
)

// TestStatusPagePublishFlags: `incidentflow statuspage publish` refuses
// missing or malformed flags in one line before reaching Temporal, and
// flags that pass get as far as looking for it.
func TestStatusPagePublishFlags(t *testing.T) {
	dataDir := t.TempDir()
	hermetic(t, dataDir)
	t.Chdir(t.TempDir())
	const prefix = "incidentflow statuspage: "
	ok := []string{"statuspage", "publish", "--incident", "k7d3m2qa", "--name", "Degraded service: checkout", "--body", "Some payments fail"}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"statuspage", "publish", "--incident", "k7d3m2qa", "--body", "b"}, prefix + `--name is required: the public title, e.g. "Degraded service: checkout"`},
		{[]string{"statuspage", "publish", "--incident", "k7d3m2qa", "--name", "n"}, prefix + "--body is required: what customers notice and what is being done"},
		{append(ok, "--component", "cmp1"), prefix + `--component "cmp1": give ID=status, e.g. --component k7d3m2qa=partial_outage`},
		{append(ok, "--component", "cmp1=broken"), prefix + `component cmp1: unknown status "broken": use one of operational, degraded_performance, partial_outage, major_outage, under_maintenance`},
		{append(ok, "--component", "cmp1=operational", "--component", "cmp1=major_outage"), prefix + "--component: component cmp1 is named twice"},
		{append(ok, "--status", "resolved"), prefix + "the public incident is resolved with the incident: resolve it, and the status page follows"},
		{append(ok, "--impact", "huge"), prefix + `unknown impact "huge": use one of none, minor, major, critical`},
		{[]string{"statuspage", "unpublish"}, `incidentflow statuspage: unknown subcommand "unpublish": use publish (incidentflow statuspage --help describes them)`},
	} {
		code, stderr := runVerb(tt.args)
		if code == 0 || stderr != tt.want+"\n" {
			t.Errorf("incidentflow %q: exit %d, stderr\n%s\nwant\n%s", tt.args, code, stderr, tt.want)
		}
	}
	args := append(ok, "--component", "cmp1=partial_outage", "--status", "identified", "--impact", "major")
	if code, stderr := runVerb(args); code == 0 || !strings.Contains(stderr, "incidentflow dev isn't running with data dir "+dataDir) {
		t.Errorf("incidentflow %q: exit %d, stderr %q; want it to look for dev", args, code, stderr)
	}
}
