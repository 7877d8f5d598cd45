package config

import (
	"fmt"
	"strings"

	"github.com/incidentflow/incidentflow/incident"
)

// Permissions says who may do what in Slack (the README's "Who may do
// what"). Each rule is a list of who: the words everyone, members,
// commander, spokesperson, leads and incident_admins, or Slack user IDs.
// The CLI is always allowed: it holds Temporal access, which is full
// control anyway.
type Permissions struct {
	// IncidentAdmins are the Slack user IDs (U…/W…) the word
	// incident_admins names.
	IncidentAdmins []string `mapstructure:"incident_admins"`
	// Declare and DeclareSecurity say who may declare an incident and a
	// security incident (everyone, incident_admins or user IDs).
	Declare         []string `mapstructure:"declare"`
	DeclareSecurity []string `mapstructure:"declare_security"`
	// Act says who may post status updates, add action items, add
	// messages to the timeline, and complete or promote a maintenance
	// window from its war room.
	Act []string `mapstructure:"act"`
	// Resolve, ChangeSeverity and AssignRoles say who may resolve, change
	// the severity and give the commander's or the spokesperson's role.
	Resolve        []string `mapstructure:"resolve"`
	ChangeSeverity []string `mapstructure:"change_severity"`
	AssignRoles    []string `mapstructure:"assign_roles"`
	// Page says who may page the on-call through PagerDuty by hand
	// (default: members).
	Page []string `mapstructure:"page"`
	// Publish says who may put an incident on the public status page
	// (default: spokesperson, commander).
	Publish []string `mapstructure:"publish"`
}

// permissionRule is one rule's key, its place in Permissions and whether
// it is about declaring (before any incident exists).
type permissionRule struct {
	key            string
	list           func(*Permissions) *[]string
	beforeIncident bool
}

// permissionRules are the rules of Permissions, in the file's order.
var permissionRules = []permissionRule{
	{"declare", func(p *Permissions) *[]string { return &p.Declare }, true},
	{"declare_security", func(p *Permissions) *[]string { return &p.DeclareSecurity }, true},
	{"act", func(p *Permissions) *[]string { return &p.Act }, false},
	{"resolve", func(p *Permissions) *[]string { return &p.Resolve }, false},
	{"change_severity", func(p *Permissions) *[]string { return &p.ChangeSeverity }, false},
	{"assign_roles", func(p *Permissions) *[]string { return &p.AssignRoles }, false},
	{"page", func(p *Permissions) *[]string { return &p.Page }, false},
	{"publish", func(p *Permissions) *[]string { return &p.Publish }, false},
}

// withPermissionDefaults adds the defaults of the permissions keys, written
// from incident.DefaultPermissions, to m and returns m.
func withPermissionDefaults(m map[string]any) map[string]any {
	d := Permissions(incident.DefaultPermissions())
	m["permissions.incident_admins"] = stringList(d.IncidentAdmins)
	for _, r := range permissionRules {
		m["permissions."+r.key] = stringList(*r.list(&d))
	}
	return m
}

// policy is the incident process's reading of p, each entry trimmed (a
// list from the environment is comma-separated: "commander, leads").
func (p Permissions) policy() incident.Permissions {
	p.IncidentAdmins = trimAll(p.IncidentAdmins)
	for _, r := range permissionRules {
		*r.list(&p) = trimAll(*r.list(&p))
	}
	return incident.Permissions(p)
}

// problems checks every permissions key: incident_admins holds Slack user
// IDs, and each rule names someone with the words it may use.
func (p Permissions) problems() Problems {
	var ps Problems
	for i, u := range p.IncidentAdmins {
		if u = strings.TrimSpace(u); !incident.IsUserID(u) {
			ps = append(ps, Problem{Key: fmt.Sprintf("permissions.incident_admins[%d]", i), Value: u,
				Allowed: "a Slack user ID (U…/W…; a profile's ⋮ menu → Copy member ID): user groups and emails can't be checked here"})
		}
	}
	for _, r := range permissionRules {
		key, list := "permissions."+r.key, *r.list(&p)
		if len(trimAll(list)) == 0 {
			ps = append(ps, Problem{Key: key, Message: "an empty list would let nobody in Slack do it: name who may, e.g. [incident_admins] (the CLI always may)"})
			continue
		}
		for i, who := range list {
			if who = strings.TrimSpace(who); who != "" && !incident.ValidWho(who, r.beforeIncident) {
				ps = append(ps, Problem{Key: fmt.Sprintf("%s[%d]", key, i), Value: who, Allowed: allowedWho(r.beforeIncident)})
			}
		}
	}
	return ps
}

// allowedWho says what a rule may list.
func allowedWho(beforeIncident bool) string {
	words := strings.Join(incident.WhoWords(beforeIncident), ", ")
	if beforeIncident {
		return words + " or a Slack user ID (U…/W…): no incident exists yet to have members, a commander or leads"
	}
	return words + " or a Slack user ID (U…/W…)"
}

// trimAll trims each entry of list and drops the empty ones; nil when
// none is left.
func trimAll(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
