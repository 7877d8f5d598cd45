package incident

import "time"

// MarkAckReaction is the reaction incidentflow puts on a war-room message
// once it is on the timeline, and takes back with its last mark.
const MarkAckReaction = "white_check_mark"

// MarkAckSummary is the Web UI's summary of putting the MarkAckReaction on
// the message m is about (remove: taking it back), e.g. "✅ on U0BOB's
// message of 14:02 UTC, marked by U0AVA". People are Slack IDs: the
// workflow doesn't know their names.
func MarkAckSummary(m MessageMark, remove bool, loc *time.Location) string {
	whose := "the message"
	if m.Author != "" {
		whose = m.Author + "'s message"
	}
	if remove {
		return "Take ✅ back from " + whose + " of " + Clock(m.Posted(), loc) + ", unmarked by " + m.By
	}
	return "✅ on " + whose + " of " + Clock(m.Posted(), loc) + ", marked by " + m.By
}
