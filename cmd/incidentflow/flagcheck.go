package main

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/incident"
)

// What the ID flags name, and where their IDs come from, for refusals.
const (
	incidentIDs = "the ID `incidentflow declare` or `incidentflow list` printed, e.g. k7d3m2qa"
	windowIDs   = "the ID `incidentflow maintenance schedule` or `list` printed, e.g. db-upgrade-x7k2m"
)

// checkIDFlag refuses an ID flag (--incident, --id) that is missing, or
// isn't an ID at all, saying which; ids says what the flag takes.
func checkIDFlag(flag, id, ids string) error {
	switch {
	case id == "":
		return fmt.Errorf("%s is required: %s", flag, ids)
	case !incident.ValidID(id):
		return fmt.Errorf("%s %q isn't an ID: IDs are lowercase letters, digits, - and _ (at most 64); give %s", flag, id, ids)
	}
	return nil
}

// checkNextUpdate refuses a --next that is set but negative, under a
// minute or longer than a day.
func checkNextUpdate(next time.Duration) error {
	if next != 0 && (next < incident.MinNextUpdate || next > incident.MaxNextUpdate) {
		return fmt.Errorf("--next %s isn't a time to the next update: give 1m to 24h, e.g. --next 30m (leave it out for the severity's cadence)", next)
	}
	return nil
}

// minRetention is the shortest retention Temporal allows a namespace.
const minRetention = time.Hour

// checkRetention refuses a --retention of setup shorter than Temporal
// keeps anything (zero and negative ones included).
func checkRetention(retention time.Duration) error {
	if retention < minRetention {
		return fmt.Errorf("--retention %s is too short: Temporal keeps closed workflows at least 1h; the default is %dh", retention, devserver.DefaultRetention/time.Hour)
	}
	return nil
}

// parseStatusFlag reads --status of update, which is required.
func parseStatusFlag(s string) (incident.Status, error) {
	if s == "" {
		return "", fmt.Errorf("--status is required: one of %s", statusNames())
	}
	st, err := incident.ParseUpdateStatus(s)
	if err != nil {
		return "", fmt.Errorf("--status: %w", err)
	}
	return st, nil
}

// statusNames lists the statuses an update may set: "investigating,
// identified, monitoring, mitigated".
func statusNames() string {
	names := make([]string, len(incident.UpdateStatuses))
	for i, st := range incident.UpdateStatuses {
		names[i] = string(st)
	}
	return strings.Join(names, ", ")
}

// allOf is a check of flags that runs checks in order and returns the
// first refusal.
func allOf(checks ...func() error) func() error {
	return func() error {
		for _, check := range checks {
			if err := check(); err != nil {
				return err
			}
		}
		return nil
	}
}

// checkURLFlag refuses a flag set to something other than an http(s) URL;
// allowed says what it takes.
func checkURLFlag(flag, value, allowed string) error {
	if value == "" {
		return nil
	}
	if u, err := url.Parse(value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q isn't an http(s) URL: give %s", flag, value, allowed)
	}
	return nil
}
