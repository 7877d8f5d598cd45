package activities

// Keys (PostRequest.Key) of the posts that open a war room.
const (
	// KeyKickoff is the kickoff message, pinned in the war room.
	KeyKickoff = "kickoff"
	// KeyAnnounce is the incident's announcement in each announce channel.
	KeyAnnounce = "announce"
)

// BookmarkMethod is the Slack method AddBookmarks calls once per bookmark.
const BookmarkMethod = "bookmarks.add"

// SlackCall names a Slack Web API call these activities make: its method
// and, for chat.postMessage, the key of the post.
type SlackCall struct {
	Method string
	Key    string
}

// WarRoomCalls are the Slack calls every complete war room has had, each at
// least once, as the incident workflow opens it with these activities:
// CreateChannel, Invite (the declarer at least), SetTopic, PostMessage of
// the pinned kickoff and of the announcement. A war room with bookmarks has
// had one bookmarks.add (AddBookmarks) per bookmark besides.
func WarRoomCalls() []SlackCall {
	return []SlackCall{
		{Method: "conversations.create"},
		{Method: "conversations.invite"},
		{Method: "conversations.setTopic"},
		{Method: "chat.postMessage", Key: KeyKickoff},
		{Method: "pins.add"},
		{Method: "chat.postMessage", Key: KeyAnnounce},
	}
}
