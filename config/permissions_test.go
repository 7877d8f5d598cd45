package config_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/incident"
)

// A first run gets incident.DefaultPermissions: anyone declares, members
// act, the commander, spokesperson, leads and admins lead.
func TestPermissionsDefaults(t *testing.T) {
	isolate(t)
	c := mustLoad(t, "", nil)
	want := config.Permissions{
		IncidentAdmins:  []string{},
		Declare:         []string{"everyone"},
		DeclareSecurity: []string{"everyone"},
		Act:             []string{"members"},
		Resolve:         []string{"commander", "spokesperson", "leads", "incident_admins"},
		ChangeSeverity:  []string{"commander", "spokesperson", "leads", "incident_admins"},
		AssignRoles:     []string{"commander", "spokesperson", "leads", "incident_admins"},
		Page:            []string{"members"},
		Publish:         []string{"spokesperson", "commander"},
	}
	if !reflect.DeepEqual(c.Permissions, want) {
		t.Errorf("Permissions = %#v, want %#v", c.Permissions, want)
	}
	if got := c.Process().Permissions; !reflect.DeepEqual(got, incident.DefaultPermissions()) {
		t.Errorf("Process().Permissions = %#v, want incident.DefaultPermissions() %#v", got, incident.DefaultPermissions())
	}
}

// A list from the environment is comma-separated, spaces allowed.
func TestPermissionsFromTheEnvironment(t *testing.T) {
	isolate(t)
	t.Setenv("INCIDENTFLOW_PERMISSIONS_INCIDENT_ADMINS", "U0ADMIN1, W0ADMIN2")
	t.Setenv("INCIDENTFLOW_PERMISSIONS_RESOLVE", "commander, incident_admins")
	p := mustLoad(t, "", nil).Process().Permissions
	if want := []string{"U0ADMIN1", "W0ADMIN2"}; !reflect.DeepEqual(p.IncidentAdmins, want) {
		t.Errorf("IncidentAdmins = %q, want %q", p.IncidentAdmins, want)
	}
	if want := []string{"commander", "incident_admins"}; !reflect.DeepEqual(p.Resolve, want) {
		t.Errorf("Resolve = %q, want %q", p.Resolve, want)
	}
}

// Each mistake is one problem, in one line that names the key, the value
// and what is allowed.
func TestPermissionsValidation(t *testing.T) {
	const incidentWho = "everyone, members, commander, spokesperson, leads, incident_admins or a Slack user ID (U…/W…)"
	for _, tc := range []struct{ yaml, want string }{
		{"permissions:\n  resolve: [comander]\n",
			`permissions.resolve[0]: "comander" is not allowed: ` + incidentWho},
		{"permissions:\n  assign_roles: [commander, comms]\n",
			`permissions.assign_roles[1]: "comms" is not allowed: ` + incidentWho},
		{"permissions:\n  act: [\"@oncall\"]\n",
			`permissions.act[0]: "@oncall" is not allowed: ` + incidentWho},
		{"permissions:\n  declare: [members]\n",
			`permissions.declare[0]: "members" is not allowed: everyone, incident_admins or a Slack user ID (U…/W…): no incident exists yet to have members, a commander or leads`},
		{"permissions:\n  declare_security: [everyone, commander]\n",
			`permissions.declare_security[1]: "commander" is not allowed: everyone, incident_admins or a Slack user ID (U…/W…): no incident exists yet to have members, a commander or leads`},
		{"permissions:\n  change_severity: []\n",
			`permissions.change_severity: an empty list would let nobody in Slack do it: name who may, e.g. [incident_admins] (the CLI always may)`},
		{"permissions:\n  incident_admins: [ava@example.com]\n",
			`permissions.incident_admins[0]: "ava@example.com" is not allowed: a Slack user ID (U…/W…; a profile's ⋮ menu → Copy member ID): user groups and emails can't be checked here`},
		{"permissions:\n  incident_admins: [S0SREGROUP]\n",
			`permissions.incident_admins[0]: "S0SREGROUP" is not allowed: a Slack user ID (U…/W…; a profile's ⋮ menu → Copy member ID): user groups and emails can't be checked here`},
	} {
		t.Run(tc.want, func(t *testing.T) {
			isolate(t)
			_, err := config.Load(writeConfig(t, tc.yaml), nil)
			var ps config.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Load: %v, want Problems", err)
			}
			if len(ps) != 1 || ps[0].Error() != tc.want {
				t.Errorf("problems:\n%v\nwant the one\n  %s", ps, tc.want)
			}
		})
	}
}

// Every word, and user IDs, pass where they may be used.
func TestPermissionsAcceptEveryWord(t *testing.T) {
	isolate(t)
	mustLoad(t, writeConfig(t, `
permissions:
  incident_admins: [U0ADMIN1, W0ADMIN2]
  declare: [incident_admins, U0SRE1]
  declare_security: [everyone]
  act: [members, commander, spokesperson, leads, incident_admins, U0SRE1]
  resolve: [everyone]
  change_severity: [leads]
  assign_roles: [U0SRE1]
`), nil)
}
