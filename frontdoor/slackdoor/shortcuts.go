package slackdoor

// MessageShortcut is one of the app's message shortcuts: its callback ID
// and the name a message's menu shows (slack-app-manifest.yaml).
type MessageShortcut struct {
	CallbackID string
	Name       string
}

// MessageShortcuts are the message shortcuts the front door handles, in
// the manifest's order: what `incidentflow dev` offers on the Slack
// sandbox's messages.
func MessageShortcuts() []MessageShortcut {
	return []MessageShortcut{
		{CallbackID: ShortcutDeclareFromMessage, Name: "Declare incident"},
		{CallbackID: ShortcutAddToTimeline, Name: "Add to incident timeline"},
	}
}
