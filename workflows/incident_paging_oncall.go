package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
)

// bringOnCall asks PagerDuty who is on call for service ("" for the
// default escalation policy), invites each of them into the war room by
// email, and names them there and in the kickoff (Incident.OnCall, which
// keepKickoffCurrent shows). Every problem PagerDuty reports (a policy
// with no schedule, an expired token), a person with no email or no Slack
// account, and a failed question or invitation is said in the war room in
// words: never a silent skip.
func (w *incidentWorkflow) bringOnCall(ctx workflow.Context, service string) {
	where := "the default escalation policy"
	if service != "" {
		where = incident.TruncateChars(service, incident.MaxName)
	}
	var res activities.OnCallResult
	var problems []string
	err := workflow.ExecuteActivity(pagerDutyCall(ctx, "Ask PagerDuty who is on call for "+where, onCallFor),
		pagerdutyActivities.OnCall, activities.OnCallRequest{Service: service}).Get(ctx, &res)
	if err != nil {
		problems = append(problems, "could not ask PagerDuty who is on call: "+incident.Escape(errorMessage(err)))
	}
	for _, p := range res.Problems {
		problems = append(problems, incident.Escape(incident.TruncateChars(incident.Clean(p), incident.MaxText)))
	}
	people := res.People
	if len(people) > incident.MaxOnCall {
		problems = append(problems, fmt.Sprintf("%d more people are on call at later levels; incidentflow invites the first %d", len(people)-incident.MaxOnCall, incident.MaxOnCall))
		people = people[:incident.MaxOnCall]
	}
	if err == nil && len(res.People) == 0 && len(res.Problems) == 0 {
		problems = append(problems, "PagerDuty says nobody is on call right now")
	}

	invites := make([]workflow.Future, len(people))
	for i, p := range people {
		if p.Email != "" {
			invites[i] = w.invite(ctx, "Invite "+incident.TruncateChars(p.Name, incident.MaxName)+", on call for "+where, []string{p.Email})
		}
	}
	var found []incident.OnCallResponder
	for i, p := range people {
		name := incident.TruncateChars(incident.Clean(strings.TrimSpace(p.Name)), incident.MaxName)
		if name == "" {
			name = "someone PagerDuty didn't name"
		}
		r := incident.OnCallResponder{Name: name, Level: p.Level, Service: service}
		switch {
		case invites[i] == nil:
			problems = append(problems, incident.Escape(name)+" is on call, but PagerDuty has no email for them, so Slack can't find them: reach them through PagerDuty")
		default:
			var inv activities.InviteResult
			if err := invites[i].Get(ctx, &inv); err != nil {
				problems = append(problems, "could not invite "+incident.Escape(name)+": "+incident.Escape(errorMessage(err)))
			} else if len(inv.Invited) > 0 {
				r.User = inv.Invited[0]
			} else {
				problems = append(problems, incident.Escape(name)+" ("+incident.Escape(p.Email)+") is on call, but has no Slack account with that email: reach them through PagerDuty")
			}
		}
		found = append(found, r)
	}

	w.inc.OnCall = slices.DeleteFunc(w.inc.OnCall, func(r incident.OnCallResponder) bool { return r.Service == service })
	w.inc.OnCall = append(w.inc.OnCall, found...)
	key := w.record(ctx, "", incident.EntryPage, onCallTimelineText(where, found, len(problems)))
	var b strings.Builder
	if len(found) > 0 {
		fmt.Fprintf(&b, ":busts_in_silhouette: *On call for %s (PagerDuty):* %s", incident.Escape(where), incident.OnCallLine(found))
		if slices.ContainsFunc(found, func(r incident.OnCallResponder) bool { return r.User != "" }) {
			b.WriteString(" — invited to this channel.")
		}
	} else {
		fmt.Fprintf(&b, ":busts_in_silhouette: *Nobody on call for %s was brought in.*", incident.Escape(where))
	}
	for _, p := range problems {
		b.WriteString("\n• " + p)
	}
	w.postInWarRoom(ctx, "Name who is on call for "+where, key, b.String())
	w.publish(ctx)
}

// onCallTimelineText is the timeline entry of an on-call lookup: who was
// found, by name, and how many problems were told.
func onCallTimelineText(where string, found []incident.OnCallResponder, problems int) string {
	names := make([]string, len(found))
	for i, r := range found {
		names[i] = r.Name
	}
	s := "on call for " + where + ": "
	if len(names) == 0 {
		s += "nobody brought in"
	} else {
		s += strings.Join(names, ", ")
	}
	if problems > 0 {
		s += fmt.Sprintf(" (%d problem(s) told in the war room)", problems)
	}
	return s
}
