package incident_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/incidentflow/incidentflow/incident"
)

// alertIncident is an incident an alert group declared.
func alertIncident() incident.Incident {
	inc := hostileIncident()
	inc.Declaration.Source = incident.SourceAlert
	inc.Declaration.AlertsText = "2 alerts firing:\n• HighErrorRate (service=checkout) · <https://prom.example.com/graph|source>\n• HighLatency (service=checkout)"
	inc.Declaration.AlertsMarkdown = "2 alerts firing:\n- HighErrorRate (service=checkout) · [source](https://prom.example.com/graph)\n- HighLatency (service=checkout)"
	return inc
}

// TestAlertDeclaredIncidentsSayWhichAlerts: the kickoff, the announcement
// and the postmortem list the alerts that started the incident.
func TestAlertDeclaredIncidentsSayWhichAlerts(t *testing.T) {
	inc := alertIncident()
	p := incident.DefaultProcess()
	for name, text := range map[string]string{
		"kickoff":      incident.KickoffText(&inc, &p),
		"announcement": incident.AnnouncementText(&inc),
	} {
		assert.Contains(t, text, "Declared from alerts", name)
		assert.Contains(t, text, "HighErrorRate (service=checkout) · <https://prom.example.com/graph|source>", name)
		assert.Contains(t, text, "HighLatency", name)
	}
	pm := incident.RenderPostmortem(&inc, incident.PostmortemContext{})
	assert.Contains(t, pm, "[source](https://prom.example.com/graph)")
}

// TestSecurityIncidentsKeepTheirAlertsInTheWarRoom: a security incident's
// announcement and postmortem name no alert.
func TestSecurityIncidentsKeepTheirAlertsInTheWarRoom(t *testing.T) {
	inc := alertIncident()
	inc.Declaration.Security = true
	for name, text := range map[string]string{
		"announcement": incident.AnnouncementText(&inc),
		"postmortem":   incident.RenderPostmortem(&inc, incident.PostmortemContext{}),
	} {
		assert.NotContains(t, text, "HighErrorRate", name)
	}
}

// TestAlertsTextIsBounded: a sender's list never grows a message past the
// bound.
func TestAlertsTextIsBounded(t *testing.T) {
	inc := alertIncident()
	inc.Declaration.AlertsText = strings.Repeat("x", 10*incident.MaxAlertsText)
	p := incident.DefaultProcess()
	assert.Less(t, len(incident.KickoffText(&inc, &p)), 2*incident.MaxAlertsText)
}

// TestRememberAlertKey: each key is taken once, and the memory is bounded.
func TestRememberAlertKey(t *testing.T) {
	var inc incident.Incident
	assert.True(t, inc.RememberAlertKey("g-1"))
	assert.False(t, inc.RememberAlertKey("g-1"))
	for i := range 1000 {
		inc.RememberAlertKey(strings.Repeat("k", i%50) + string(rune('a'+i%26)) + strings.Repeat("z", i/26))
	}
	assert.LessOrEqual(t, len(inc.AlertKeys), 200)
}
