package slackdoor

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// alertDeclare opens the declare modal for the alert group of a triage
// prompt, filled in with what its route suggests; the submission declares
// through the group, so the first person to declare decides.
func (f *FrontDoor) alertDeclare(ctx context.Context, cb slack.InteractionCallback, m viewMeta) {
	if f.alerts == nil {
		f.notify(cb, "Alert triage isn't supported by this incidentflow.")
		return
	}
	if refusal, ok := refusalOf(f.permitDeclare(cb.User.ID)); ok {
		f.notify(cb, refusal)
		return
	}
	tctx, cancel := f.temporalCtx(ctx, 0)
	defer cancel()
	st, err := f.alerts.Get(tctx, m.Incident)
	if err != nil {
		f.notify(cb, f.failure(err, "NO incident was declared"))
		return
	}
	if st.Phase != wfapi.AlertTriage {
		f.notify(cb, fmt.Sprintf("This alert group is %s already%s; nothing to declare.", st.Phase, decidedBy(st.DecidedBy)))
		return
	}
	f.openForm(ctx, cb, f.declareView(declarePrefill{
		Title: st.Decision.Title, Severity: st.Decision.Severity, Service: st.Decision.Service,
		Commander: cb.User.ID, Meta: viewMeta{Channel: m.Channel, AlertGroup: m.Incident},
	}))
}

// alertTriage ignores or snoozes the alert group of a triage prompt, once
// the declare rule lets the person who pressed the button (permitDeclare).
func (f *FrontDoor) alertTriage(ctx context.Context, cb slack.InteractionCallback, groupID, action string) {
	f.click(ctx, cb, f.alerts != nil, "Alert triage isn't supported by this incidentflow.", func(tctx context.Context) error {
		if err := f.permitDeclare(cb.User.ID); err != nil {
			return err
		}
		return f.alerts.Triage(tctx, groupID, cb.User.ID, action)
	}, fmt.Sprintf("Done: you %sd this alert group.", action), "the alert was NOT "+action+"d")
}

// decidedBy names who answered a prompt, after a space, or is empty.
func decidedBy(user string) string {
	if user == "" {
		return ""
	}
	return " (answered by " + incident.Mention(user) + ")"
}
