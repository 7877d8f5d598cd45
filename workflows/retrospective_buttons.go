package workflows

import (
	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// The buttons of the retrospective's war-room messages; their text is in
// the incident package with the messages'.

func addItemsButton(id string) activities.Button {
	return activities.Button{ActionID: wfapi.ActionAddActionItems, Text: "Add action items", Value: id}
}

func doneButton(id string) activities.Button {
	return activities.Button{ActionID: wfapi.ActionRetroDone, Text: "Mark retrospective done", Value: id, Style: "primary"}
}
