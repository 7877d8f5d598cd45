package alert

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/incident"
)

func TestIncidentIDIsOnePerGroup(t *testing.T) {
	am := readTestdata(t, "alertmanager.json")
	first, err := ParseAlertmanager(am)
	require.NoError(t, err)
	// A repeat_interval re-send, or the other Alertmanager of a cluster:
	// other alerts and times, the same group.
	resent, err := ParseAlertmanager([]byte(`{"version":"4","status":"resolved","receiver":"incidentflow",
		"groupKey":"{}/{service=~\"checkout|payments\"}:{alertname=\"HighErrorRate\", service=\"checkout\"}",
		"alerts":[{"status":"resolved","labels":{"alertname":"HighErrorRate"},"fingerprint":"x"}]}`))
	require.NoError(t, err)
	id := IncidentID(first.Key())
	assert.Equal(t, id, IncidentID(resent.Key()))
	assert.Len(t, id, 8)
	assert.True(t, incident.ValidID(id), "fits incident IDs, workflow IDs and channel names")

	other := first
	other.Receiver = "another-receiver"
	assert.NotEqual(t, id, IncidentID(other.Key()), "the receiver is part of the group")
	other = first
	other.Source = SourceGrafana
	assert.NotEqual(t, id, IncidentID(other.Key()), "the source is part of the group")
	assert.NotEqual(t, incident.IDFromKey(first.Key()), id, "alert IDs have their own namespace")
}

func TestKeyKeepsItsPartsApart(t *testing.T) {
	a := Notification{Source: SourceAlertmanager, Receiver: "a", GroupKey: `b","c`}
	b := Notification{Source: SourceAlertmanager, Receiver: `a","b`, GroupKey: "c"}
	assert.NotEqual(t, a.Key(), b.Key())
}
