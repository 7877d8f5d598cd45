package incident_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/incident"
)

// permissionsProcess is the default process with a critical lead and one
// incident admin.
func permissionsProcess() incident.Process {
	p := incident.DefaultProcess()
	p.Severities[0].Leads = []string{"U0CRITLEAD", "lead@example.com"}
	p.Permissions.IncidentAdmins = []string{"U0ADMIN"}
	return p
}

// commandedIncident is a critical incident led by U0AVA with U0CAROL as
// spokesperson, its war room C0ROOM.
func commandedIncident() *incident.Incident {
	inc := incident.New(incident.Declaration{ID: "perm1", Title: "Checkout down", Severity: incident.Critical, Declarer: "U0AVA"})
	inc.Comms = "U0CAROL"
	inc.ChannelID = "C0ROOM"
	return &inc
}

func TestPermitDecidesWhoMayAct(t *testing.T) {
	person := func(u string) incident.Actor { return incident.Actor{User: u} }
	leaderless := commandedIncident()
	leaderless.Commander = ""
	onlyAdmins := permissionsProcess()
	onlyAdmins.Permissions.Resolve = []string{incident.IncidentAdmins, "U0NAMED"}
	onlyAdmins.Permissions.Act = []string{incident.Members, incident.CommanderWord}
	onlyAdmins.Permissions.Declare = []string{incident.IncidentAdmins}
	emptyRule := permissionsProcess()
	emptyRule.Permissions.AssignRoles = []string{}

	const resolveRefusal = "Only the commander (<@U0AVA>), the spokesperson (<@U0CAROL>), the critical leads or an incident admin can resolve this incident."
	cases := []struct {
		name    string
		process incident.Process
		act     incident.Action
		inc     *incident.Incident
		actor   incident.Actor
		member  incident.Membership
		refusal string // "" when allowed
	}{
		{"the commander resolves", permissionsProcess(), incident.ActionResolve, commandedIncident(), person("U0AVA"), incident.NotMember, ""},
		{"the spokesperson changes the severity", permissionsProcess(), incident.ActionChangeSeverity, commandedIncident(), person("U0CAROL"), incident.NotMember, ""},
		{"a lead of the current severity gives a role", permissionsProcess(), incident.ActionAssignRole, commandedIncident(), person("U0CRITLEAD"), incident.NotMember, ""},
		{"an incident admin resolves", permissionsProcess(), incident.ActionResolve, commandedIncident(), person("U0ADMIN"), incident.NotMember, ""},
		{"a member who holds no role can't resolve", permissionsProcess(), incident.ActionResolve, commandedIncident(), person("U0BOB"), incident.Member, resolveRefusal},
		{"nor can an unknown actor", permissionsProcess(), incident.ActionResolve, commandedIncident(), person(""), incident.MembershipUnknown, resolveRefusal},
		{"a lead of another severity can't change it", permissionsProcess(), incident.ActionChangeSeverity, func() *incident.Incident {
			inc := commandedIncident()
			inc.Severity = incident.Major
			return inc
		}(), person("U0CRITLEAD"), incident.Member,
			"Only the commander (<@U0AVA>), the spokesperson (<@U0CAROL>), the major leads or an incident admin can change this incident's severity."},
		{"the operator may do anything", emptyRule, incident.ActionAssignRole, commandedIncident(), incident.Actor{Operator: true}, incident.NotMember, ""},
		{"the operator with a Slack identity too", permissionsProcess(), incident.ActionResolve, commandedIncident(), incident.Actor{User: "U0BOB", Operator: true}, incident.NotMember, ""},
		{"a rule naming nobody leaves the operator", emptyRule, incident.ActionAssignRole, commandedIncident(), person("U0AVA"), incident.Member,
			"Nobody in Slack can give this incident's roles: only an operator can, with the CLI."},

		{"a member posts an update", permissionsProcess(), incident.ActionPostUpdate, commandedIncident(), person("U0BOB"), incident.Member, ""},
		{"the workflow takes membership as given", permissionsProcess(), incident.ActionAddActionItem, commandedIncident(), person("U0BOB"), incident.MembershipUnknown, ""},
		{"a non-member can't mark the timeline", permissionsProcess(), incident.ActionMarkTimeline, commandedIncident(), person("U0BOB"), incident.NotMember,
			"Only members of <#C0ROOM> can add messages to this incident's timeline."},
		{"not even the commander, by default", permissionsProcess(), incident.ActionPostUpdate, commandedIncident(), person("U0AVA"), incident.NotMember,
			"Only members of <#C0ROOM> can post status updates in this incident."},
		{"unless the rule names the commander", onlyAdmins, incident.ActionPostUpdate, commandedIncident(), person("U0AVA"), incident.NotMember, ""},

		{"with no commander, a member may take the role", permissionsProcess(), incident.ActionAssignRole, leaderless, person("U0BOB"), incident.Member, ""},
		{"and the workflow lets it through", permissionsProcess(), incident.ActionResolve, leaderless, person("U0BOB"), incident.MembershipUnknown, ""},
		{"but not a non-member", permissionsProcess(), incident.ActionResolve, leaderless, person("U0BOB"), incident.NotMember,
			"Only members of <#C0ROOM> (while it has no commander), the spokesperson (<@U0CAROL>), the critical leads or an incident admin can resolve this incident."},
		{"an act rule naming only the commander names nobody then", func() incident.Process {
			p := permissionsProcess()
			p.Permissions.Act = []string{incident.CommanderWord}
			return p
		}(), incident.ActionResolve, leaderless, person("U0BOB"), incident.Member,
			"Only the commander (there is none yet), the spokesperson (<@U0CAROL>), the critical leads or an incident admin can resolve this incident."},

		{"a user ID in a rule", onlyAdmins, incident.ActionResolve, commandedIncident(), person("U0NAMED"), incident.NotMember, ""},
		{"the commander outside a restricted rule", onlyAdmins, incident.ActionResolve, commandedIncident(), person("U0AVA"), incident.Member,
			"Only an incident admin or <@U0NAMED> can resolve this incident."},

		{"anyone declares by default", permissionsProcess(), incident.ActionDeclare, nil, person("U0BOB"), incident.MembershipUnknown, ""},
		{"security incidents too", permissionsProcess(), incident.ActionDeclareSecurity, nil, person("U0BOB"), incident.MembershipUnknown, ""},
		{"a restricted declare", onlyAdmins, incident.ActionDeclare, nil, person("U0BOB"), incident.MembershipUnknown,
			"Only an incident admin can declare an incident."},
		{"an admin declares", onlyAdmins, incident.ActionDeclare, nil, person("U0ADMIN"), incident.MembershipUnknown, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.process.Permit(c.act, c.inc, c.actor, c.member)
			if c.refusal == "" {
				assert.NoError(t, err)
				return
			}
			var refusal *incident.Refusal
			require.True(t, errors.As(err, &refusal), "want a refusal, got %v", err)
			assert.Equal(t, c.refusal, refusal.Sentence)
			assert.Equal(t, c.act, refusal.Action)
		})
	}
}

// Incidents declared before the permission model carry no rules: they get
// the defaults, never "nobody".
func TestPermitUsesTheDefaultsOfUnsetRules(t *testing.T) {
	p := incident.DefaultProcess()
	p.Permissions = incident.Permissions{}
	inc := commandedIncident()
	assert.NoError(t, p.Permit(incident.ActionResolve, inc, incident.Actor{User: "U0AVA"}, incident.NotMember))
	assert.Error(t, p.Permit(incident.ActionResolve, inc, incident.Actor{User: "U0BOB"}, incident.Member))
	assert.NoError(t, p.Permit(incident.ActionPostUpdate, inc, incident.Actor{User: "U0BOB"}, incident.Member))
	assert.NoError(t, p.PermitDeclaration(incident.Declaration{Security: true}, incident.Actor{User: "U0BOB"}))
}

// A security incident is decided by declare_security alone.
func TestPermitDeclarationOfSecurityIncidents(t *testing.T) {
	p := permissionsProcess()
	p.Permissions.Declare = []string{incident.IncidentAdmins}
	p.Permissions.DeclareSecurity = []string{incident.Everyone}
	bob := incident.Actor{User: "U0BOB"}
	assert.NoError(t, p.PermitDeclaration(incident.Declaration{Security: true}, bob), "anyone may report a breach")
	assert.EqualError(t, p.PermitDeclaration(incident.Declaration{}, bob), "Only an incident admin can declare an incident.")

	p.Permissions.DeclareSecurity = []string{"U0FRANK"}
	assert.EqualError(t, p.PermitDeclaration(incident.Declaration{Security: true}, bob), "Only <@U0FRANK> can declare a security incident.")
	assert.NoError(t, p.PermitDeclaration(incident.Declaration{Security: true}, incident.Actor{User: "U0FRANK"}))
}

func TestRefusalTimelineText(t *testing.T) {
	p := permissionsProcess()
	err := p.Permit(incident.ActionResolve, commandedIncident(), incident.Actor{User: "U0BOB"}, incident.Member)
	var refusal *incident.Refusal
	require.True(t, errors.As(err, &refusal))
	assert.Equal(t, "tried to resolve this incident and was refused", refusal.TimelineText())
}

func TestValidWho(t *testing.T) {
	for who, want := range map[string][2]bool{ // {in an incident's rule, in a declaring rule}
		"everyone": {true, true}, "incident_admins": {true, true}, "U0123ABC": {true, true}, "W0123ABC": {true, true},
		"members": {true, false}, "commander": {true, false}, "spokesperson": {true, false}, "leads": {true, false},
		"comms": {false, false}, "Everyone": {false, false}, "u0123abc": {false, false}, "S0GROUP": {false, false},
		"@oncall": {false, false}, "": {false, false},
	} {
		assert.Equal(t, want[0], incident.ValidWho(who, false), "%q in an incident's rule", who)
		assert.Equal(t, want[1], incident.ValidWho(who, true), "%q in a declaring rule", who)
	}
}
