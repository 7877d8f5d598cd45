package incident

import "time"

// RetroPhase is where a retrospective stands.
type RetroPhase string

// The phases of a retrospective, in order.
const (
	// RetroPreparing: writing the postmortem, opening issues, booking.
	RetroPreparing RetroPhase = "preparing"
	// RetroScheduled: waiting for the meeting.
	RetroScheduled RetroPhase = "scheduled"
	// RetroAwaitingDone: the meeting is over; waiting to be marked done.
	RetroAwaitingDone RetroPhase = "awaiting_done"
	// RetroFollowingUp: following the action-item issues until closed.
	RetroFollowingUp RetroPhase = "following_up"
	// RetroFinished: nothing left to follow.
	RetroFinished RetroPhase = "finished"
)

// RetroIssue is a GitHub issue the retrospective opened.
type RetroIssue struct {
	Number int    `json:"number,omitempty"`
	URL    string `json:"url,omitempty"`
	// State is "open", "closed" or "missing" (deleted or moved); empty
	// until the issue exists.
	State string `json:"state,omitempty"`
}

// Open reports whether the issue exists and is still open.
func (i RetroIssue) Open() bool { return i.Number > 0 && i.State == "open" }

// RetroActionItem is an action item and its issue.
type RetroActionItem struct {
	ActionItem
	Issue RetroIssue `json:"issue"`
	// Assignee is the GitHub login the issue was assigned to, if any.
	Assignee string `json:"assignee,omitempty"`
}

// RetroState is the state of a retrospective, as QueryRetrospective returns
// it and continue-as-new carries it.
type RetroState struct {
	IncidentID string     `json:"incident_id"`
	Phase      RetroPhase `json:"phase"`
	// Meeting is when the review meeting is booked; MeetingURL is the event
	// on the CalDAV calendar, or the invite file in the war room.
	Meeting    RetroSlot `json:"meeting"`
	MeetingURL string    `json:"meeting_url,omitempty"`
	// Booked is false when booking failed; the time is still announced.
	Booked     bool              `json:"booked"`
	WarRoomURL string            `json:"war_room_url,omitempty"`
	Postmortem RetroIssue        `json:"postmortem"`
	Items      []RetroActionItem `json:"items,omitempty"`
	People     map[string]Person `json:"people,omitempty"`
	Done       bool              `json:"done"`
	DoneBy     string            `json:"done_by,omitempty"`
	DoneAt     time.Time         `json:"done_at,omitempty"`
	// Repo is the repository (owner/name) of a security incident's issues,
	// github.security_repo; empty: github.repo.
	Repo string `json:"repo,omitempty"`
	// OffGitHub is set for a security incident with no security repository
	// (github.security_repo): its postmortem and action items live in the
	// private war room and in this state, with no issue to follow.
	OffGitHub bool `json:"off_github,omitempty"`
	// FollowUpUntil is when following the issues stops, closed or not.
	FollowUpUntil time.Time `json:"follow_up_until"`
	// Warnings are the problems the war room was told about.
	Warnings []string `json:"warnings,omitempty"`

	// Bookkeeping of the workflow, carried across continue-as-new.
	Steps          map[string]bool `json:"steps,omitempty"`
	Posts          int             `json:"posts"`
	NextDoneRemind time.Time       `json:"next_done_remind,omitempty"`
	NextCheck      time.Time       `json:"next_check,omitempty"`
	NextDigest     time.Time       `json:"next_digest,omitempty"`
	// Pending are items accepted by an update whose issues aren't open yet.
	Pending []ActionItem `json:"pending,omitempty"`
}

// OpenItems returns the action items whose issues are still open.
func (s *RetroState) OpenItems() []RetroActionItem {
	var out []RetroActionItem
	for _, it := range s.Items {
		if it.Issue.Open() {
			out = append(out, it)
		}
	}
	return out
}
