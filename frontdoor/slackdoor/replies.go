package slackdoor

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
)

// ephemeral is the answer to a slash command: a message only the caller
// sees. It is the HTTP response body, or the Socket Mode acknowledgement.
type ephemeral struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

// say answers a slash command with text only the caller sees, cleaned of
// control and bidi characters (it may quote what the caller typed).
func say(format string, args ...any) *ephemeral {
	text := format
	if len(args) > 0 {
		text = fmt.Sprintf(format, args...)
	}
	return &ephemeral{ResponseType: "ephemeral", Text: incident.Clean(text)}
}

// helpText lists the subcommands and the ways to mark a message for the
// timeline (reaction is the configured emoji); maintenance adds the
// subcommand that plans maintenance, drills those that start a drill and
// ask it for a hint. Placeholders such as <title> are
// escaped, since Slack reads <…> as a link, even inside `…`.
func helpText(process incident.Process, reaction string, maintenance, drills bool) string {
	sev := strings.Join(process.SeverityNames(), "|")
	lines := []string{
		"*incidentflow* runs the incident process in Slack.",
		"",
		"*Anywhere*",
		"• `/incident` or `/incident declare [title]` — declare an incident (opens a form)",
		"• `/incident list` — the open incidents",
		"• `/incident insights` — how we responded over the last 30 days (time to acknowledge and resolve, updates on time), with a link to the insights page",
		"• `/incident help` — this list",
		"• the message menu (⋯) → *Declare incident* — declare from a support message",
		"",
		"*In an incident's war room*",
		"• `/incident update [status] [text]` — post a status update (opens a form)",
		"• `/incident severity <" + sev + "> [reason]` — change the severity",
		"• `/incident lead @name` — make someone the commander",
		"• `/incident comms @name` — make someone the spokesperson",
		"• `/incident action [@owner] <what needs doing>` — record an action item",
		"• `/incident status` — where the incident stands",
		"• `/incident catchup` — what you need to know joining now: roles, the last update, what was marked since",
		"• `/incident timeline` — the last entries of the incident's timeline",
		"• react with :" + reaction + ":, pin a message, or the message menu (⋯) → *Add to incident timeline* — add it to the timeline",
		"• `/incident page [service]` — page the on-call through PagerDuty: the incident's service, or the one named (the kickoff's *Page on-call* button does the first)",
		"• `/incident statuspage publish` — put it on the public status page, or post an update there (opens a form; the kickoff's *Publish to status page* button does the same)",
		"• `/incident resolve` or `/closeincident` — resolve it (opens a form)",
		"• `/incident hint` — in a drill room: the drill's next hint",
	}
	if !process.StatusPage {
		lines = slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, "• `/incident statuspage") })
	}
	if !drills {
		lines = slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, "• `/incident hint") })
	}
	if maintenance {
		lines = slices.Insert(lines, 8, "• `/incident maintenance` — plan maintenance (opens a form)")
	}
	if drills {
		lines = slices.Insert(lines, 8, "• `/incident drill [scenario]` — rehearse: start a drill from a scenario, in its own drill room (opens a form)")
	}
	return errEscaper.Replace(strings.Join(lines, "\n"))
}

// failure is what a responder reads when a request to Temporal didn't work.
// notDone completes "…, so <notDone>", e.g. "your update was NOT posted".
func (f *FrontDoor) failure(err error, notDone string) string {
	return f.failureWithin(err, notDone, f.temporalTO)
}

// failureWithin is failure for a request to Temporal bounded by within.
func (f *FrontDoor) failureWithin(err error, notDone string, within time.Duration) string {
	var appErr *temporal.ApplicationError
	if refusal, ok := refusalOf(err); ok {
		return refusal
	}
	switch {
	case errors.Is(err, starter.ErrNotFound):
		return "I can't find that incident any more; it may have been resolved, so " + notDone + ". `/incident list` shows the open incidents."
	case isTimeout(err):
		return fmt.Sprintf("Temporal didn't answer within %s, so I can't tell whether it went through. Check the war room in a minute before trying again; if nothing shows up, %s.",
			roundSeconds(within), notDone)
	case errors.Is(err, starter.ErrUnavailable):
		return "Temporal is unreachable, so " + notDone + ". Try again in a minute; if it stays down, tell your incidentflow operator."
	case errors.As(err, &appErr):
		return "The incident refused: " + escapeRefusal(appErr.Message()) + "."
	}
	return "That didn't work (" + escapeErr(err) + "), so " + notDone + "."
}

// errEscaper keeps an error's text, or a usage's placeholders, from being
// read as Slack markup without disguising identifiers such as
// expired_trigger_id, as Escape would.
var errEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeErr renders an error from Slack or Temporal inside a message.
func escapeErr(err error) string { return errEscaper.Replace(err.Error()) }

// escapedMention is a user mention or a channel link errEscaper escaped.
var escapedMention = regexp.MustCompile(`&lt;([@#])([A-Z0-9]+)&gt;`)

// escapeRefusal renders a workflow's refusal as escapeErr does, but keeps
// the user mentions and channel links it makes (an alert group names who
// answered it first; the permission model who may act and where).
func escapeRefusal(msg string) string {
	return escapedMention.ReplaceAllStringFunc(errEscaper.Replace(msg), func(m string) string {
		sub := escapedMention.FindStringSubmatch(m)
		switch kind, id := sub[1], sub[2]; {
		case kind == "@" && incident.IsUserID(id):
			return incident.Mention(id)
		case kind == "#" && incident.IsChannelRef(id):
			return "<#" + id + ">"
		}
		return m
	})
}

// isTimeout reports whether err means Temporal didn't answer before our
// deadline (as opposed to refusing the connection).
func isTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "context deadline exceeded") ||
		strings.Contains(err.Error(), "DeadlineExceeded")
}

// unreachable reports whether err means nothing reached Temporal at all.
func unreachable(err error) bool {
	return errors.Is(err, starter.ErrUnavailable) && !isTimeout(err)
}

func roundSeconds(d time.Duration) string {
	return fmt.Sprintf("%g s", d.Round(100*time.Millisecond).Seconds())
}

// notInWarRoom answers a war-room subcommand typed elsewhere.
func notInWarRoom(verb Verb) string {
	return fmt.Sprintf("`/incident %s` works in an incident's war room, and this channel isn't the war room of an open incident. Run it in the war room (`/incident list` shows them), or declare an incident with `/incident declare &lt;title&gt;`.", verb)
}

// statusText renders where an incident stands for /incident status.
func statusText(inc incident.Incident, process incident.Process) string {
	d := inc.Declaration
	loc := process.Location()
	var b strings.Builder
	title := d.Title
	if d.Security {
		title = "security incident"
	}
	fmt.Fprintf(&b, "*%s* — %s `%s`\n", incident.Escape(title), strings.ToUpper(string(inc.Severity)), d.ID)
	fmt.Fprintf(&b, "• Status: *%s*", inc.StatusText())
	if inc.IsResolved() && !inc.ResolvedAt.IsZero() {
		fmt.Fprintf(&b, " at %s", incident.Clock(inc.ResolvedAt, loc))
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "• Commander: %s · Comms: %s\n", incident.MentionOr(inc.Commander, "nobody"), incident.MentionOr(inc.Comms, "nobody"))
	if inc.ChannelID != "" {
		fmt.Fprintf(&b, "• War room: <#%s>\n", inc.ChannelID)
	}
	if d.Service != "" {
		fmt.Fprintf(&b, "• Service: %s\n", incident.Escape(d.Service))
	}
	if !d.DeclaredAt.IsZero() {
		fmt.Fprintf(&b, "• Declared %s by %s\n", incident.Clock(d.DeclaredAt, loc), incident.MentionOr(d.Declarer, "nobody"))
	}
	if n := len(inc.Updates); n > 0 {
		last := inc.Updates[n-1]
		fmt.Fprintf(&b, "• Last update %s by %s: %s\n", incident.Clock(last.At, loc), incident.MentionOr(last.Author, "nobody"),
			incident.Escape(incident.Truncate(last.Text, 300)))
	} else {
		b.WriteString("• No status update yet\n")
	}
	if !inc.IsResolved() && !inc.NextUpdateBy.IsZero() {
		fmt.Fprintf(&b, "• Next update due by %s\n", incident.Clock(inc.NextUpdateBy, loc))
	}
	if n := len(inc.ActionItems); n > 0 {
		fmt.Fprintf(&b, "• %d action item(s) recorded\n", n)
	}
	if inc.IsResolved() && inc.Resolution != "" {
		fmt.Fprintf(&b, "• Resolution: %s\n", incident.Escape(incident.Truncate(inc.Resolution, 300)))
	}
	return strings.TrimRight(b.String(), "\n")
}

// listText renders the open incidents for /incident list.
func listText(list []starter.Summary, process incident.Process) string {
	if len(list) == 0 {
		return "No open incidents. Declare one with `/incident declare &lt;title&gt;`."
	}
	loc := process.Location()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d open incident(s)*\n", len(list))
	const max = 20
	for i, s := range list {
		if i == max {
			fmt.Fprintf(&b, "…and %d more (see the Temporal Web UI).\n", len(list)-max)
			break
		}
		title := s.Title
		if title == "" {
			title = "(title unavailable)"
		}
		fmt.Fprintf(&b, "• `%s` %s %s — %s", s.ID, strings.ToUpper(s.Severity), orDash(s.Status), incident.Escape(incident.Truncate(title, 120)))
		if s.ChannelID != "" {
			fmt.Fprintf(&b, " — <#%s>", s.ChannelID)
		}
		if s.Commander != "" {
			fmt.Fprintf(&b, " — IC %s", incident.MentionOr(s.Commander, "nobody"))
		}
		if s.Kind != "" && s.Kind != string(incident.KindIncident) {
			fmt.Fprintf(&b, " (%s)", s.Kind)
		}
		if !s.StartedAt.IsZero() {
			fmt.Fprintf(&b, " — since %s", incident.Clock(s.StartedAt, loc))
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
