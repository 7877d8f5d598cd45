package incident

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// EntryStatusPage is the kind of the timeline entry that records a post
// on the public status page (StatusPageEntryText).
const EntryStatusPage = "status_page"

// ActionPublish is publishing an incident to the public status page; the
// Publish rule says who may (default: the spokesperson and the commander).
const ActionPublish Action = "publish"

// StatusPage is what an incident has put on the public status page: its
// public incident there, and the posts still to go out. An incident never
// published has none (Incident.StatusPage is nil).
type StatusPage struct {
	// PageIncidentID is Statuspage's ID of the public incident, once it
	// exists; Shortlink its public address when Statuspage gave one.
	PageIncidentID string `json:"page_incident_id,omitempty"`
	Shortlink      string `json:"shortlink,omitempty"`
	// Name is the public title, Status the public status last posted.
	Name   string `json:"name"`
	Status string `json:"status,omitempty"`
	// Components are the components the public incident named, with the
	// status last posted for each; the resolution sets them operational.
	Components map[string]string `json:"components,omitempty"`
	// Posts counts the posts that went out, Queued every post ever queued
	// (it numbers their keys).
	Posts  int `json:"posts,omitempty"`
	Queued int `json:"queued,omitempty"`
	// Pending are the posts not yet out, oldest first: continue-as-new
	// carries them to the next run, which sends them with the same keys.
	Pending []PublicPost `json:"pending,omitempty"`
	// OutageTold is set once the war room has heard that the status page
	// isn't taking posts, until one goes through again.
	OutageTold bool `json:"outage_told,omitempty"`
	// Resolved is set once the resolution's post is queued.
	Resolved bool `json:"resolved,omitempty"`
}

// PublicPost is one post to the public status page: the creation of the
// public incident (the first), an update, or the resolution.
type PublicPost struct {
	// Key names the post across retries and runs (Statuspage's update
	// key).
	Key string `json:"key"`
	// By is who asked for it ("" for incidentflow's own resolution post).
	By     string            `json:"by,omitempty"`
	Name   string            `json:"name,omitempty"`
	Body   string            `json:"body"`
	Status string            `json:"status"`
	Impact string            `json:"impact,omitempty"`
	Comps  map[string]string `json:"components,omitempty"`
	// Resolve marks the resolution's post.
	Resolve bool `json:"resolve,omitempty"`
}

// ResolvedPublicBody is the public text of the resolution's post: a
// neutral sentence, since the internal resolution summary never goes
// public.
const ResolvedPublicBody = "This incident has been resolved. Thank you for your patience."

// OperationalComponents is every component the public incident named, set
// back to operational.
func (sp *StatusPage) OperationalComponents() map[string]string {
	if len(sp.Components) == 0 {
		return nil
	}
	out := make(map[string]string, len(sp.Components))
	for _, id := range SortedKeys(sp.Components) {
		out[id] = "operational"
	}
	return out
}

// Posted records that p went out: the public incident's ID and address,
// its status and its components' statuses.
func (sp *StatusPage) Posted(p PublicPost, pageIncidentID, shortlink string) {
	if sp.PageIncidentID == "" {
		sp.PageIncidentID = pageIncidentID
	}
	if shortlink != "" {
		sp.Shortlink = shortlink
	}
	if p.Name != "" {
		sp.Name = p.Name
	}
	sp.Status = p.Status
	if len(p.Comps) > 0 && sp.Components == nil {
		sp.Components = map[string]string{}
	}
	for _, id := range SortedKeys(p.Comps) {
		sp.Components[id] = p.Comps[id]
	}
	sp.Posts++
	sp.OutageTold = false
}

// StatusPageEntryText is the text of the timeline entry of post p, made
// at t: "published to the status page at 14:05: …".
func StatusPageEntryText(p PublicPost, t time.Time, loc *time.Location) string {
	verb := "published to the status page"
	switch {
	case p.Resolve:
		verb = "resolved on the status page"
	case p.Name == "":
		verb = "updated the status page"
	}
	text := verb + " at " + Clock(t, loc) + ": "
	if p.Name != "" {
		text += "“" + Truncate(joinLines(p.Name), 120) + "” — "
	}
	text += p.Status + ": " + Truncate(joinLines(p.Body), 240)
	if len(p.Comps) > 0 {
		var comps []string
		for _, id := range SortedKeys(p.Comps) {
			comps = append(comps, id+" "+p.Comps[id])
		}
		text += fmt.Sprintf(" (components: %s)", strings.Join(comps, ", "))
	}
	return text
}

// joinLines joins s's lines and spaces into one line.
func joinLines(s string) string { return strings.Join(strings.Fields(s), " ") }

// PublishedText tells the war room that the incident is on the status
// page, published by by, and what follows.
func PublishedText(sp *StatusPage, by string) string {
	text := ":mega: Published to the status page"
	if by != "" {
		text += " by " + Mention(by)
	}
	text += ": “" + Escape(sp.Name) + "” (" + sp.Status + ")."
	if isWebURL(sp.Shortlink) {
		text += " <" + slackURL.Replace(sp.Shortlink) + "|See it as customers do>."
	}
	return text + " Status updates can now be published too (tick “Also publish to the status page” in the update form); resolving the incident resolves it there and sets its components back to operational."
}

// CheckPublishable refuses to publish what isn't an incident: a drill
// never goes on the public status page, and a maintenance window's war
// room is there as its scheduled maintenance (or, promoted, as the
// incident it became).
func CheckPublishable(inc *Incident) error {
	switch inc.Declaration.Kind {
	case KindDrill:
		return errors.New("a drill never goes on the public status page")
	case KindMaintenance:
		return errors.New("a maintenance window goes on the status page as scheduled maintenance (statuspage: true on the window); if it turned into an outage, promote it to an incident and publish that")
	}
	return nil
}

// OnStatusPage reports whether the incident is on the public status page,
// or on its way there: its public incident exists, or a post to create it
// waits to go out.
func (inc *Incident) OnStatusPage() bool {
	sp := inc.StatusPage
	return sp != nil && (sp.PageIncidentID != "" || len(sp.Pending) > 0)
}
