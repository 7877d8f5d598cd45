package drill

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/incidentflow/incidentflow/incident"
)

// The events with an argument: "status:identified", "severity:critical",
// "inject:rollback-failed".
const (
	eventStatus   = "status"
	eventSeverity = "severity"
	eventInject   = "inject"
)

// triggerEvents and expectationEvents list the events for messages.
const (
	triggerEvents     = "acknowledged, first_update, roles_assigned, status:<status>, severity:<severity>, statuspage_drafted, action_item, inject:<id>"
	expectationEvents = triggerEvents + ", resolved, kept_private"
)

// Check reports whether e is a valid event: of a trigger (an inject's
// after) when trigger is set, which can't be resolved or kept_private, or
// else of an expectation. It checks syntax only: whether an inject:<id>
// names an inject of the scenario is the scenario's Check.
func (e Event) Check(trigger bool) error {
	use := expectationEvents
	if trigger {
		use = triggerEvents
	}
	switch e {
	case EventAcknowledged, EventFirstUpdate, EventRolesAssigned, EventStatusPageDrafted, EventActionItem:
		return nil
	case EventResolved, EventKeptPrivate:
		if !trigger {
			return nil
		}
		if e == EventResolved {
			return errors.New(`"resolved" can't trigger an inject: the drill ends at the resolution; use it in expected`)
		}
		return errors.New(`"kept_private" is only known when the drill ends: use it in expected, not as a trigger`)
	case "":
		return fmt.Errorf("no event; use one of %s", use)
	}
	kind, arg, ok := strings.Cut(string(e), ":")
	if !ok {
		return fmt.Errorf("unknown event %q; use one of %s", e, use)
	}
	switch kind {
	case eventStatus:
		if arg == string(incident.Resolved) {
			return fmt.Errorf("%q: for the resolution use the event resolved", e)
		}
		if !slices.Contains(incident.UpdateStatuses, incident.Status(arg)) {
			return fmt.Errorf("unknown status %q in %q; use status: with one of investigating, identified, monitoring, mitigated", arg, e)
		}
	case eventSeverity:
		if !severityRE.MatchString(arg) {
			return fmt.Errorf("%q is not a severity name in %q; use severity: with a severity such as critical", arg, e)
		}
	case eventInject:
		if !nameRE.MatchString(arg) {
			return fmt.Errorf("%q is not an inject id in %q; use inject: with the id of an inject of this scenario", arg, e)
		}
	default:
		return fmt.Errorf("unknown event %q; use one of %s", e, use)
	}
	return nil
}

// split splits e into its kind and argument ("status", "identified"); an
// event without an argument has an empty one.
func (e Event) split() (kind, arg string) {
	k, a, _ := strings.Cut(string(e), ":")
	return k, a
}
