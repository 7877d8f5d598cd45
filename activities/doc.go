// Package activities holds incidentflow's Temporal activities, one struct per
// outside system: Slack (slack*.go), GitHub (github*.go) and the calendar
// (calendar*.go). Every method is idempotent, so a retry after a worker crash
// repeats nothing a responder can see, and returns a Temporal application
// error whose message tells a responder what to do when retrying won't help.
//
// Every text they send people (messages and their blocks, topics, purposes,
// bookmarks, files' titles, issues, calendar events) is cleaned with
// incident.Clean where its request to the system is built (message,
// setPurpose, SetTopic, AddBookmarks, shareFile, cleanIssue, Invite), so
// that no control or bidi character a user typed reaches anyone.
package activities
