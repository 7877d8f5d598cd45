package incident

import (
	"slices"
	"strings"
)

// Permissions says who may do what (the configuration's permissions.*).
// Each rule lists who may: the words Everyone, Members, CommanderWord,
// SpokespersonWord, Leads and IncidentAdmins, or Slack user IDs. A nil rule
// is its default (DefaultPermissions): the configuration never yields one
// (it refuses an empty list), incidents declared before the permission
// model carry none.
type Permissions struct {
	// IncidentAdmins are the Slack user IDs the word IncidentAdmins names.
	IncidentAdmins []string `json:"incident_admins,omitempty"`
	// Declare says who may declare an incident, DeclareSecurity who may
	// declare a security incident (it alone decides for those, so that a
	// team that restricts declaring can still let anyone report a breach).
	Declare         []string `json:"declare,omitempty"`
	DeclareSecurity []string `json:"declare_security,omitempty"`
	// Act says who may work in a war room: post status updates, add
	// action items, add messages to the timeline, and, in a maintenance
	// window's war room, complete the window or promote it to an incident.
	Act []string `json:"act,omitempty"`
	// Resolve, ChangeSeverity and AssignRoles say who may resolve, change
	// the severity, and give the commander's or the spokesperson's role.
	Resolve        []string `json:"resolve,omitempty"`
	ChangeSeverity []string `json:"change_severity,omitempty"`
	AssignRoles    []string `json:"assign_roles,omitempty"`
	// Page says who may page the on-call through PagerDuty by hand
	// (`/incident page`, the kickoff's Page on-call button).
	Page []string `json:"page,omitempty"`
	// Publish says who may put the incident on the public status page
	// (ActionPublish).
	Publish []string `json:"publish,omitempty"`
}

// The words a rule may list besides Slack user IDs.
const (
	// Everyone is anyone in the workspace.
	Everyone = "everyone"
	// Members are the members of the incident's war room. Only Slack knows
	// them: the Slack door checks, the workflow takes membership as given.
	Members = "members"
	// CommanderWord is the incident's commander; while it has none, anyone
	// the Act rule allows (so that someone can take the role).
	CommanderWord = "commander"
	// SpokespersonWord is the incident's spokesperson (the comms role).
	SpokespersonWord = "spokesperson"
	// Leads are the leads of the incident's current severity named by
	// Slack user ID (a lead configured by email can't be recognised).
	Leads = "leads"
	// IncidentAdmins are the users of Permissions.IncidentAdmins.
	IncidentAdmins = "incident_admins"
)

// DefaultPermissions are the rules of a first run: anyone may declare,
// security incidents included (they stay visible to their war room's
// members only); the war room's members may work in it; the commander,
// the spokesperson, the current severity's leads and the incident admins
// may resolve, change the severity and give the roles; the war room's
// members may page the on-call; the spokesperson and the commander may
// publish to the status page.
func DefaultPermissions() Permissions {
	leaders := []string{CommanderWord, SpokespersonWord, Leads, IncidentAdmins}
	return Permissions{
		Declare:         []string{Everyone},
		DeclareSecurity: []string{Everyone},
		Act:             []string{Members},
		Resolve:         leaders,
		ChangeSeverity:  slices.Clone(leaders),
		AssignRoles:     slices.Clone(leaders),
		Page:            []string{Members},
		Publish:         []string{SpokespersonWord, CommanderWord},
	}
}

// ValidWho reports whether who may appear in a rule: one of the words or a
// Slack user ID. Rules about declaring (beforeIncident) may use only
// Everyone, IncidentAdmins and user IDs: the other words name people of an
// incident that doesn't exist yet.
func ValidWho(who string, beforeIncident bool) bool {
	return slices.Contains(WhoWords(beforeIncident), who) || IsUserID(who)
}

// WhoWords lists the words a rule may use (see ValidWho).
func WhoWords(beforeIncident bool) []string {
	if beforeIncident {
		return []string{Everyone, IncidentAdmins}
	}
	return []string{Everyone, Members, CommanderWord, SpokespersonWord, Leads, IncidentAdmins}
}

// Action is something the permission model decides who may do.
type Action string

// The actions, each decided by one rule of Permissions.
const (
	ActionDeclare         Action = "declare"
	ActionDeclareSecurity Action = "declare_security"
	ActionPostUpdate      Action = "post_update"
	ActionAddActionItem   Action = "add_action_item"
	ActionMarkTimeline    Action = "mark_timeline"
	// ActionCompleteMaintenance and ActionPromoteMaintenance end a
	// maintenance window, or turn it into an incident, from its war room.
	ActionCompleteMaintenance Action = "complete_maintenance"
	ActionPromoteMaintenance  Action = "promote_maintenance"
	ActionResolve             Action = "resolve"
	ActionChangeSeverity      Action = "change_severity"
	ActionAssignRole          Action = "assign_role"
	// ActionPage pages the on-call through PagerDuty by hand.
	ActionPage Action = "page"
)

// what completes "Only … can " for act.
func (act Action) what() string {
	switch act {
	case ActionDeclare:
		return "declare an incident"
	case ActionDeclareSecurity:
		return "declare a security incident"
	case ActionPostUpdate:
		return "post status updates in this incident"
	case ActionAddActionItem:
		return "add action items to this incident"
	case ActionMarkTimeline:
		return "add messages to this incident's timeline"
	case ActionCompleteMaintenance:
		return "complete this maintenance"
	case ActionPromoteMaintenance:
		return "promote this maintenance to an incident"
	case ActionResolve:
		return "resolve this incident"
	case ActionChangeSeverity:
		return "change this incident's severity"
	case ActionAssignRole:
		return "give this incident's roles"
	case ActionPage:
		return "page the on-call for this incident"
	case ActionPublish:
		return "publish this incident to the status page"
	}
	return string(act)
}

// rule is the rule that decides act, its default when unset.
func (p Permissions) rule(act Action) []string {
	d := DefaultPermissions()
	pick := func(set, def []string) []string {
		if set == nil {
			return def
		}
		return set
	}
	switch act {
	case ActionDeclare:
		return pick(p.Declare, d.Declare)
	case ActionDeclareSecurity:
		return pick(p.DeclareSecurity, d.DeclareSecurity)
	case ActionPostUpdate, ActionAddActionItem, ActionMarkTimeline, ActionCompleteMaintenance, ActionPromoteMaintenance:
		return pick(p.Act, d.Act)
	case ActionResolve:
		return pick(p.Resolve, d.Resolve)
	case ActionChangeSeverity:
		return pick(p.ChangeSeverity, d.ChangeSeverity)
	case ActionAssignRole:
		return pick(p.AssignRoles, d.AssignRoles)
	case ActionPage:
		return pick(p.Page, d.Page)
	case ActionPublish:
		return pick(p.Publish, d.Publish)
	}
	return nil
}

// Actor is who asks for something.
type Actor struct {
	// User is the person's Slack user ID; empty when no person is known.
	User string
	// Operator is set for a request from a client that holds Temporal
	// access (the CLI, incidentflow's own workflows): it could do anything
	// in Temporal anyway, so the permission model allows it everything, as
	// an incident admin whom every rule names. The Slack door never sets it.
	Operator bool
}

// Membership is what the one asking knows of an actor's membership of the
// incident's war room.
type Membership int

// The memberships.
const (
	// MembershipUnknown is the workflow's view: Slack knows the war room's
	// members and the Slack door checks them, so Members is taken as
	// satisfied.
	MembershipUnknown Membership = iota
	// Member and NotMember are the Slack door's answers.
	Member
	NotMember
)

// EntryRefused is the kind of the timeline entry that records a refusal
// (Refusal.TimelineText).
const EntryRefused = "refused"

// Refusal is the permission model's no: what was refused, and a sentence
// saying who can do it (Slack mrkdwn, with mentions).
type Refusal struct {
	Action   Action
	Sentence string
}

func (r *Refusal) Error() string { return r.Sentence }

// TimelineText is the text of the timeline entry that records the refusal
// (EntryRefused); the entry's actor is who was refused.
func (r *Refusal) TimelineText() string {
	return "tried to " + r.Action.what() + " and was refused"
}

// Permit decides whether a may do act to inc (nil for the declaring
// actions), given what is known of a's membership of its war room: nil,
// or a *Refusal saying who can.
func (p *Process) Permit(act Action, inc *Incident, a Actor, m Membership) error {
	if a.Operator {
		return nil
	}
	rule := p.Permissions.rule(act)
	if p.allows(rule, inc, a, m, true) {
		return nil
	}
	who := p.describe(rule, inc, true)
	if len(who) == 0 {
		return &Refusal{Action: act, Sentence: "Nobody in Slack can " + act.what() + ": only an operator can, with the CLI."}
	}
	return &Refusal{Action: act, Sentence: "Only " + orList(who) + " can " + act.what() + "."}
}

// PermitDeclaration decides whether a may declare d: the DeclareSecurity
// rule decides for a security incident, the Declare rule for any other.
func (p *Process) PermitDeclaration(d Declaration, a Actor) error {
	act := ActionDeclare
	if d.Security {
		act = ActionDeclareSecurity
	}
	return p.Permit(act, nil, a, MembershipUnknown)
}

// allows reports whether rule names a. claim lets CommanderWord name whom
// the Act rule allows while inc has no commander (not within the Act rule
// itself, which may name the commander too).
func (p *Process) allows(rule []string, inc *Incident, a Actor, m Membership, claim bool) bool {
	for _, who := range rule {
		if p.names(who, inc, a, m, claim) {
			return true
		}
	}
	return false
}

// names reports whether who names a (see allows).
func (p *Process) names(who string, inc *Incident, a Actor, m Membership, claim bool) bool {
	if who == Everyone {
		return true
	}
	if a.User == "" {
		return false
	}
	switch who {
	case IncidentAdmins:
		return slices.Contains(p.Permissions.IncidentAdmins, a.User)
	case Members, CommanderWord, SpokespersonWord, Leads:
		if inc == nil {
			return false
		}
	default:
		return who == a.User
	}
	switch who {
	case Members:
		return m != NotMember
	case CommanderWord:
		if inc.Commander == "" {
			return claim && p.allows(p.Permissions.rule(ActionPostUpdate), inc, a, m, false)
		}
		return inc.Commander == a.User
	case SpokespersonWord:
		return inc.Comms == a.User
	}
	sp, _ := p.Policy(inc.Severity)
	return slices.Contains(sp.Leads, a.User)
}

// describe names whom rule allows, for a refusal's sentence (see allows
// for claim).
func (p *Process) describe(rule []string, inc *Incident, claim bool) []string {
	var out []string
	for _, who := range rule {
		if inc == nil && !ValidWho(who, true) {
			continue // names people of an incident that doesn't exist
		}
		switch who {
		case Members:
			out = append(out, "members of "+inc.WarRoomLink())
		case CommanderWord:
			out = append(out, p.describeCommander(inc, claim))
		case SpokespersonWord:
			out = append(out, "the spokesperson"+inParens(inc.Comms))
		case Leads:
			out = append(out, "the "+string(inc.Severity)+" leads")
		case IncidentAdmins:
			out = append(out, "an incident admin")
		default:
			out = append(out, Mention(who))
		}
	}
	return out
}

// describeCommander names the commander, or, while inc has none, whom
// the Act rule allows to take the role.
func (p *Process) describeCommander(inc *Incident, claim bool) string {
	if inc.Commander != "" || !claim {
		return "the commander" + inParens(inc.Commander)
	}
	var others []string
	for _, who := range p.Permissions.rule(ActionPostUpdate) {
		if who != CommanderWord {
			others = append(others, who)
		}
	}
	if len(others) == 0 {
		return "the commander (there is none yet)"
	}
	return orList(p.describe(others, inc, false)) + " (while it has no commander)"
}

// inParens mentions user in parentheses after a space, or is "" without one.
func inParens(user string) string {
	if user == "" {
		return ""
	}
	return " (" + Mention(user) + ")"
}

// orList joins items as "a", "a or b", "a, b or c".
func orList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
