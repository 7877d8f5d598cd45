package alert

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"
)

// Bounds of a Group, so that a workflow can keep it in its state and carry
// it across continue-as-new: at most maxGroupAlerts alerts taking at most
// groupBudget encoded bytes, plus maxGroupAlerts fingerprints in Posted;
// TestWorstCaseGroupFitsItsBound checks it encodes in under MaxEncodedSize.
const (
	maxGroupAlerts = 200
	groupBudget    = 192 << 10
)

// Group is what a workflow keeps of one alert group: the latest version of
// each alert, by fingerprint, and which alerts were firing when the war room
// was last told. Its methods are deterministic: no clock, no map order.
type Group struct {
	// Alerts are sorted by fingerprint.
	Alerts []Alert `json:"alerts,omitempty"`
	// Posted are the fingerprints that were firing at the last MarkPosted,
	// sorted.
	Posted []string `json:"posted,omitempty"`
	// Truncated is the latest notification's count of alerts left out.
	Truncated int `json:"truncated,omitempty"`
	// Dropped counts alerts forgotten to keep the group within its bounds,
	// the oldest resolved ones first.
	Dropped int `json:"dropped,omitempty"`
}

// Change is what changed in a group: alerts that started firing, alerts
// that resolved, and those still firing, each sorted by name and then
// fingerprint.
type Change struct {
	Firing      []Alert `json:"firing,omitempty"`
	Resolved    []Alert `json:"resolved,omitempty"`
	StillFiring []Alert `json:"still_firing,omitempty"`
	// AllResolved is set when alerts were firing before and none is now.
	AllResolved bool `json:"all_resolved,omitempty"`
}

// Empty reports whether no alert started firing or resolved.
func (c Change) Empty() bool { return len(c.Firing) == 0 && len(c.Resolved) == 0 }

// Apply records notification n and returns what it changed. A resolved
// notification that left no alert out resolves every alert of the group,
// as its sender says the whole group is resolved.
func (g *Group) Apply(n Notification) Change {
	before := g.firing()
	seen := make([]string, 0, len(n.Alerts))
	for _, a := range n.Alerts {
		if slices.Contains(seen, a.Fingerprint) {
			continue // a sender repeating an alert: its first (firing) copy counts
		}
		seen = append(seen, a.Fingerprint)
		g.put(a)
	}
	if n.Status == Resolved && n.Truncated == 0 {
		end := latestEnd(n.Alerts)
		for i := range g.Alerts {
			if g.Alerts[i].Status == Firing {
				g.Alerts[i].Status = Resolved
				g.Alerts[i].EndsAt = end
			}
		}
	}
	g.Truncated = n.Truncated
	g.evict(seen)
	return g.changeSince(before)
}

// SincePost returns what changed since the last MarkPosted (or since the
// group began, before any).
func (g *Group) SincePost() Change { return g.changeSince(g.Posted) }

// MarkPosted records that the war room was just told where the group stands.
func (g *Group) MarkPosted() { g.Posted = g.firing() }

// FiringAlerts returns the alerts firing now, sorted by name and then
// fingerprint.
func (g *Group) FiringAlerts() []Alert {
	out := firingOf(g.Alerts)
	sortByName(out)
	return out
}

// ResolvedAt is when the last alert of a fully resolved group ended; zero
// while any alert fires or when no end time is known.
func (g *Group) ResolvedAt() time.Time {
	if len(g.firing()) > 0 {
		return time.Time{}
	}
	return latestEnd(g.Alerts)
}

// firing returns the fingerprints of the alerts firing now, sorted.
func (g *Group) firing() []string {
	var fps []string
	for _, a := range firingOf(g.Alerts) {
		fps = append(fps, a.Fingerprint)
	}
	return fps
}

// changeSince compares the alerts firing now with the sorted fingerprints
// before; alerts the group no longer holds are left out.
func (g *Group) changeSince(before []string) Change {
	var c Change
	for _, a := range g.Alerts {
		_, was := slices.BinarySearch(before, a.Fingerprint)
		switch {
		case a.Status == Firing && was:
			c.StillFiring = append(c.StillFiring, a)
		case a.Status == Firing:
			c.Firing = append(c.Firing, a)
		case was:
			c.Resolved = append(c.Resolved, a)
		}
	}
	c.AllResolved = len(before) > 0 && len(c.Firing) == 0 && len(c.StillFiring) == 0
	sortByName(c.Firing)
	sortByName(c.Resolved)
	sortByName(c.StillFiring)
	return c
}

// put stores a, replacing the alert with its fingerprint.
func (g *Group) put(a Alert) {
	i, found := slices.BinarySearchFunc(g.Alerts, a.Fingerprint, func(x Alert, fp string) int {
		return strings.Compare(x.Fingerprint, fp)
	})
	if found {
		g.Alerts[i] = a
		return
	}
	g.Alerts = slices.Insert(g.Alerts, i, a)
}

// evict forgets alerts until the group is within its bounds, never one in
// keep (the latest notification's, which fit by themselves): resolved
// alerts that ended first, then firing ones that started first.
func (g *Group) evict(keep []string) {
	sizes := make(map[string]int, len(g.Alerts))
	total := 0
	for _, a := range g.Alerts {
		b, _ := json.Marshal(a) // a bounded Alert always encodes
		sizes[a.Fingerprint] = len(b) + 1
		total += len(b) + 1
	}
	for len(g.Alerts) > maxGroupAlerts || total > groupBudget {
		victim := -1
		for i, a := range g.Alerts {
			if !slices.Contains(keep, a.Fingerprint) && (victim < 0 || evictBefore(a, g.Alerts[victim])) {
				victim = i
			}
		}
		if victim < 0 {
			return
		}
		fp := g.Alerts[victim].Fingerprint
		total -= sizes[fp]
		g.Alerts = slices.Delete(g.Alerts, victim, victim+1)
		g.Posted = slices.DeleteFunc(g.Posted, func(p string) bool { return p == fp })
		g.Dropped = addClamped(g.Dropped, 1)
	}
}

// evictBefore orders alerts for eviction: resolved before firing, resolved
// by end time, firing by start time, then by fingerprint.
func evictBefore(a, b Alert) bool {
	if (a.Status == Resolved) != (b.Status == Resolved) {
		return a.Status == Resolved
	}
	ta, tb := a.StartsAt, b.StartsAt
	if a.Status == Resolved {
		ta, tb = a.EndsAt, b.EndsAt
	}
	if !ta.Equal(tb) {
		return ta.Before(tb)
	}
	return a.Fingerprint < b.Fingerprint
}

// latestEnd is the latest EndsAt of the resolved alerts in as.
func latestEnd(as []Alert) time.Time {
	var end time.Time
	for _, a := range as {
		if a.Status == Resolved && a.EndsAt.After(end) {
			end = a.EndsAt
		}
	}
	return end
}

// sortByName sorts alerts by name, then fingerprint.
func sortByName(as []Alert) {
	sort.SliceStable(as, func(i, j int) bool {
		if as[i].Name() != as[j].Name() {
			return as[i].Name() < as[j].Name()
		}
		return as[i].Fingerprint < as[j].Fingerprint
	})
}
