package slackdoor

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/incidentflow/incidentflow/incident"
)

// Verb is a subcommand of /incident.
type Verb string

// The subcommands of /incident.
const (
	VerbDeclare  Verb = "declare"  // open the declare modal, title pre-filled
	VerbUpdate   Verb = "update"   // open the status-update modal
	VerbSeverity Verb = "severity" // change the severity
	VerbLead     Verb = "lead"     // make someone the commander
	VerbComms    Verb = "comms"    // make someone the spokesperson
	VerbResolve  Verb = "resolve"  // open the resolve modal
	VerbStatus   Verb = "status"   // show the incident's state
	VerbAction   Verb = "action"   // record an action item
	VerbList     Verb = "list"     // list the open incidents
	VerbHelp     Verb = "help"     // list the subcommands
	VerbTimeline Verb = "timeline" // show the last timeline entries
	VerbCatchup  Verb = "catchup"  // what someone joining the war room needs
	// VerbMaintenance opens the form that schedules planned maintenance.
	VerbMaintenance Verb = "maintenance"
	// VerbPage pages the on-call through PagerDuty: the incident's service,
	// or the one named.
	VerbPage Verb = "page"
	// VerbStatusPage opens the form that publishes the incident to the
	// public status page: `/incident statuspage publish`.
	VerbStatusPage Verb = "statuspage"
	// VerbInsights sums up the response figures of the last 30 days.
	VerbInsights Verb = "insights"
	// VerbDrill opens the form that starts a drill: `/incident drill
	// [scenario]`.
	VerbDrill Verb = "drill"
	// VerbHint asks a drill for its next hint, in the drill room.
	VerbHint Verb = "hint"
)

// verbAliases maps every word a responder may type to its subcommand.
var verbAliases = map[string]Verb{
	"declare": VerbDeclare, "new": VerbDeclare, "open": VerbDeclare, "start": VerbDeclare,
	"update": VerbUpdate, "post": VerbUpdate,
	"severity": VerbSeverity, "sev": VerbSeverity,
	"lead": VerbLead, "commander": VerbLead, "ic": VerbLead, "operator": VerbLead,
	"comms": VerbComms, "spokesperson": VerbComms,
	"resolve": VerbResolve, "close": VerbResolve,
	"status": VerbStatus, "info": VerbStatus,
	"action": VerbAction, "todo": VerbAction,
	"list": VerbList, "ls": VerbList,
	"help": VerbHelp, "?": VerbHelp,
	"timeline": VerbTimeline,
	"catchup":  VerbCatchup, "catch-up": VerbCatchup, "recap": VerbCatchup,
	"maintenance": VerbMaintenance, "maint": VerbMaintenance,
	"page": VerbPage, "pager": VerbPage,
	"statuspage": VerbStatusPage, "status-page": VerbStatusPage,
	"insights": VerbInsights, "stats": VerbInsights,
	"drill": VerbDrill, "gameday": VerbDrill, "game-day": VerbDrill,
	"hint": VerbHint, "clue": VerbHint,
}

// MaxCommandText bounds the text of a slash command this parser accepts, in
// bytes; Slack itself sends at most a few thousand characters.
const MaxCommandText = 8000

// Command is a parsed /incident command line.
type Command struct {
	Verb Verb
	// Text is the free text after the verb with Slack's markup turned into
	// plain text (mentions become @name, links their URL, &amp; becomes &):
	// the title of declare, the text of update, the summary of resolve, the
	// action item of action, the reason of severity.
	Text string
	// Arg is the one-word argument: the severity name of severity
	// (lower-cased), the status of update when the text starts with one,
	// the scenario of drill (lower-cased, untrusted: the door checks it).
	Arg string
	// User is the Slack user ID named by lead, comms or (as the owner) action
	// with a mention: <@U123>, what Slack sends when the person was picked
	// from its list.
	User string
	// Who is the person lead, comms or action named in words instead: a
	// plain @name typed without picking from Slack's list, a display or
	// real name, or an email address (plain text, untrusted). The front door
	// resolves it to a user ID.
	Who string
	// Self is set when lead or comms name "me": the caller.
	Self bool
}

// ParseCommand parses the text of an /incident slash command as Slack sends
// it: users as <@U123|name> or <@U123>, & < > as entities, any amount of
// whitespace, "quoted" or “quoted” words. An empty text means declare. The
// error, when there is one, says in words what to type instead.
func ParseCommand(text string) (Command, error) {
	if len(text) > MaxCommandText {
		return Command{}, fmt.Errorf("that command is %d characters long; keep it under %d, or use the form (/incident declare) for long text", utf8.RuneCountInString(text), MaxCommandText/2)
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	word, rest := cutWord(text)
	if word == "" {
		return Command{Verb: VerbDeclare}, nil
	}
	verb, ok := verbAliases[strings.ToLower(word)]
	if !ok {
		shown := incident.Truncate(plainText(word), 40)
		return Command{}, fmt.Errorf("I don't know the subcommand “%s”. To declare an incident type /incident declare <title>; /incident help lists everything", shown)
	}
	cmd := Command{Verb: verb}
	switch verb {
	case VerbDeclare, VerbResolve:
		cmd.Text = freeText(rest)
	case VerbUpdate:
		first, after := cutWord(rest)
		if st, err := incident.ParseUpdateStatus(strings.ToLower(unquote(first))); err == nil && first != "" {
			cmd.Arg = string(st)
			cmd.Text = freeText(after)
		} else {
			cmd.Text = freeText(rest)
		}
	case VerbSeverity:
		tok, after, err := nextToken(rest)
		if err != nil {
			return Command{}, err
		}
		if tok == "" {
			return Command{}, errors.New("which severity? Type /incident severity <name> [reason], e.g. /incident severity critical checkout is down")
		}
		if _, isUser := mentionedUser(tok); isUser {
			return Command{}, errors.New("a severity is a word such as critical, not a person: type /incident severity <name> [reason]")
		}
		cmd.Arg = strings.ToLower(tok)
		cmd.Text = freeText(after)
	case VerbLead, VerbComms:
		role := "commander"
		if verb == VerbComms {
			role = "spokesperson (comms)"
		}
		tok, after, err := nextToken(rest)
		if err != nil {
			return Command{}, err
		}
		if tok == "" {
			return Command{}, fmt.Errorf("who? Type /incident %s @name to make someone the %s", verb, role)
		}
		if strings.EqualFold(tok, "me") || strings.EqualFold(tok, "myself") {
			cmd.Self = true
			break
		}
		user, mention := mentionedUser(tok)
		if trimSpace(after) != "" {
			if mention || strings.HasPrefix(tok, "<") || strings.ContainsAny(after, "@<") {
				return Command{}, fmt.Errorf("one person at a time: type /incident %s @name", verb)
			}
			tok = trimSpace(rest) // a name with spaces: /incident lead Ann Lee
		}
		if mention {
			cmd.User = user
			break
		}
		who, ok := namedPerson(unquote(tok))
		if !ok {
			return Command{}, fmt.Errorf("I can't tell who “%s” is. Type @ and pick the person from Slack's list: /incident %s @name", incident.Truncate(plainText(tok), 40), verb)
		}
		cmd.Who = who
	case VerbAction:
		first, after := cutWord(rest)
		if user, ok := mentionedUser(first); ok {
			cmd.User = user
			rest = after
		} else if strings.HasPrefix(first, "@") && len(first) > 1 {
			cmd.Who, _ = namedPerson(first)
			rest = after
		}
		cmd.Text = freeText(rest)
		if cmd.Text == "" {
			return Command{}, errors.New("what needs doing? Type /incident action [@owner] <what needs doing>, e.g. /incident action @dana add an alert on queue depth")
		}
	case VerbPage:
		tok, after, err := nextToken(rest)
		if err != nil {
			return Command{}, err
		}
		if _, isUser := mentionedUser(tok); isUser || strings.HasPrefix(tok, "@") {
			return Command{}, errors.New("/incident page pages a service's on-call, not a person: type /incident page [service], e.g. /incident page checkout")
		}
		if trimSpace(after) != "" {
			return Command{}, errors.New("one service at a time: type /incident page [service], e.g. /incident page checkout")
		}
		cmd.Arg = plainText(unquote(tok))
	case VerbStatusPage:
		sub, _ := cutWord(rest)
		if !strings.EqualFold(unquote(sub), "publish") {
			return Command{}, errStatusPageUsage
		}
		cmd.Arg = "publish"
	case VerbDrill:
		cmd.Arg = strings.ToLower(freeText(rest))
	case VerbStatus, VerbList, VerbHelp, VerbMaintenance, VerbTimeline, VerbCatchup, VerbInsights, VerbHint:
		// Anything after these is ignored.
	}
	return cmd, nil
}

// isSpace reports whether r separates words: Unicode white space and the
// zero-width characters pasted text often carries.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff'
}

// trimSpace trims isSpace runes from both ends of s.
func trimSpace(s string) string { return strings.TrimFunc(s, isSpace) }

// cutWord splits off the first whitespace-separated word of s. A word that
// starts with Slack markup (<@U123|Ann Lee>) runs at least to its closing >,
// so a label with spaces stays whole.
func cutWord(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, isSpace)
	from := 0
	if strings.HasPrefix(s, "<") {
		if end := strings.IndexByte(s, '>'); end >= 0 {
			from = end + 1
		}
	}
	if i := strings.IndexFunc(s[from:], isSpace); i >= 0 {
		return s[:from+i], s[from+i:]
	}
	return s, ""
}

// closingQuote returns the quote that closes a word opened by r, if r opens
// one. Straight and typographic double quotes count; single quotes don't (they
// are apostrophes in "can't").
func closingQuote(r rune) (rune, bool) {
	switch r {
	case '"':
		return '"', true
	case '“':
		return '”', true
	case '„':
		return '“', true
	case '”':
		return '”', true
	case '«':
		return '»', true
	}
	return 0, false
}

// nextToken returns the first argument of s, its quotes removed, and what
// follows it. A quoted argument may hold spaces; an unclosed quote is an
// error.
func nextToken(s string) (tok, rest string, err error) {
	s = strings.TrimLeftFunc(s, isSpace)
	if s == "" {
		return "", "", nil
	}
	open, size := utf8.DecodeRuneInString(s)
	if closeQ, ok := closingQuote(open); ok {
		body := s[size:]
		end := strings.IndexFunc(body, func(r rune) bool {
			return r == closeQ || (closeQ == '”' && r == '"') || (closeQ == '"' && r == '”')
		})
		if end < 0 {
			return "", "", fmt.Errorf("a quote isn't closed in “%s”: close it, or leave the quotes out", incident.Truncate(trimSpace(s), 40))
		}
		_, closeSize := utf8.DecodeRuneInString(body[end:])
		return trimSpace(body[:end]), body[end+closeSize:], nil
	}
	tok, rest = cutWord(s)
	return tok, rest, nil
}

// unquote removes one pair of surrounding double quotes from s.
func unquote(s string) string {
	s = trimSpace(s)
	open, size := utf8.DecodeRuneInString(s)
	closeQ, ok := closingQuote(open)
	if !ok || len(s) <= size {
		return s
	}
	last, lastSize := utf8.DecodeLastRuneInString(s)
	if last == closeQ || (closeQ == '”' && last == '"') || (closeQ == '"' && last == '”') {
		if len(s)-lastSize < size {
			return s
		}
		return trimSpace(s[size : len(s)-lastSize])
	}
	return s
}

// freeText turns the rest of a command line into plain text: Slack markup
// resolved, surrounding quotes removed, whitespace trimmed.
func freeText(s string) string {
	return unquote(plainText(trimSpace(s)))
}

// mentionedUser returns the user ID of a Slack user mention, <@U123> or
// <@U123|name>.
func mentionedUser(tok string) (string, bool) {
	if !strings.HasPrefix(tok, "<@") || !strings.HasSuffix(tok, ">") {
		return "", false
	}
	inner := tok[2 : len(tok)-1]
	if i := strings.IndexByte(inner, '|'); i >= 0 {
		inner = inner[:i]
	}
	if !incident.IsUserID(inner) {
		return "", false
	}
	return inner, true
}

// namedPerson returns the person tok names in words: a handle or display
// name with its @ removed, a real name, or the address of an email link
// (<mailto:ann@example.com|ann@example.com>). Other markup — a channel, a
// link, a mention that isn't a user ID — names nobody.
func namedPerson(tok string) (string, bool) {
	if addr, ok := strings.CutPrefix(tok, "<mailto:"); ok && strings.HasSuffix(tok, ">") {
		addr, _, _ = strings.Cut(strings.TrimSuffix(addr, ">"), "|")
		return entities.Replace(addr), addr != ""
	}
	if strings.HasPrefix(tok, "<") {
		return "", false
	}
	who := trimSpace(strings.TrimPrefix(plainText(tok), "@"))
	return who, who != ""
}

// entities are the three characters Slack sends as HTML entities.
var entities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// plainText turns Slack-formatted text into what a person typed: user and
// channel mentions become @name and #name, special mentions @here, links
// their URL (with the label first when there is one), and the entities &lt;
// &gt; &amp; their characters. The result is untrusted text: escape it
// (incident.Escape) before putting it in a message.
func plainText(s string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			b.WriteString(entities.Replace(s))
			break
		}
		closeIdx := strings.IndexByte(s[open:], '>')
		if closeIdx < 0 {
			b.WriteString(entities.Replace(s))
			break
		}
		b.WriteString(entities.Replace(s[:open]))
		b.WriteString(renderMarkup(s[open+1 : open+closeIdx]))
		s = s[open+closeIdx+1:]
	}
	return b.String()
}

// renderMarkup renders the inside of one <...> sequence as plain text.
func renderMarkup(inner string) string {
	target, label, hasLabel := strings.Cut(inner, "|")
	target = entities.Replace(target)
	label = entities.Replace(label)
	switch {
	case strings.HasPrefix(target, "@"):
		if hasLabel && label != "" {
			return "@" + strings.TrimPrefix(label, "@")
		}
		return target
	case strings.HasPrefix(target, "#"):
		if hasLabel && label != "" {
			return "#" + strings.TrimPrefix(label, "#")
		}
		return target
	case strings.HasPrefix(target, "!"):
		if hasLabel && label != "" {
			return label
		}
		name, _, _ := strings.Cut(target[1:], "^")
		return "@" + name
	}
	if hasLabel && label != "" && label != target && label != strings.TrimPrefix(strings.TrimPrefix(target, "https://"), "http://") {
		return label + " (" + target + ")"
	}
	return target
}
