package alert

import "github.com/incidentflow/incidentflow/incident"

// IncidentID derives the incident ID of an alert group from its key
// (Notification.Key). It is incident.IDFromKey's eight lowercase base32
// characters, so it fits workflow IDs ("incident-" + ID) and Slack channel
// names like any other incident ID, and the "alert:" prefix keeps alert
// groups apart from the other keys IDFromKey hashes.
func IncidentID(groupKey string) string {
	return incident.IDFromKey("alert:" + groupKey)
}
