package slackemu

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// textObj is a Slack text object as blocks carry it.
type textObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// optionJSON is an option of a select, checkbox group or radio group.
type optionJSON struct {
	Text        textObj  `json:"text"`
	Value       string   `json:"value"`
	Description *textObj `json:"description"`
}

// elementJSON is the part of a block element the page reads.
type elementJSON struct {
	Type         string       `json:"type"`
	ActionID     string       `json:"action_id"`
	Placeholder  *textObj     `json:"placeholder"`
	InitialValue string       `json:"initial_value"`
	Multiline    bool         `json:"multiline"`
	MaxLength    int          `json:"max_length"`
	Options      []optionJSON `json:"options"`
	OptionGroups []struct {
		Options []optionJSON `json:"options"`
	} `json:"option_groups"`
	InitialOption        *optionJSON  `json:"initial_option"`
	InitialOptions       []optionJSON `json:"initial_options"`
	InitialUser          string       `json:"initial_user"`
	InitialUsers         []string     `json:"initial_users"`
	InitialConversation  string       `json:"initial_conversation"`
	InitialConversations []string     `json:"initial_conversations"`
	InitialChannel       string       `json:"initial_channel"`
	InitialChannels      []string     `json:"initial_channels"`
	InitialDate          string       `json:"initial_date"`
	InitialTime          string       `json:"initial_time"`
	IsDecimalAllowed     bool         `json:"is_decimal_allowed"`
	MinValue             string       `json:"min_value"`
	MaxValue             string       `json:"max_value"`
	Text                 *textObj     `json:"text"` // buttons
	Value                string       `json:"value"`
	Style                string       `json:"style"`
}

// allOptions returns the options, those in option groups included.
func (e *elementJSON) allOptions() []optionJSON {
	out := append([]optionJSON(nil), e.Options...)
	for _, g := range e.OptionGroups {
		out = append(out, g.Options...)
	}
	return out
}

// blockJSON is the part of a block the page reads.
type blockJSON struct {
	Type      string            `json:"type"`
	BlockID   string            `json:"block_id"`
	Label     *textObj          `json:"label"`
	Hint      *textObj          `json:"hint"`
	Text      *textObj          `json:"text"`
	Fields    []textObj         `json:"fields"`
	Optional  bool              `json:"optional"`
	Element   *elementJSON      `json:"element"`
	Elements  []json.RawMessage `json:"elements"`
	Accessory *elementJSON      `json:"accessory"`
}

// parseBlockList decodes a blocks array leniently (nil when it is not one).
func parseBlockList(raw json.RawMessage) []blockJSON {
	var bs []blockJSON
	if len(raw) == 0 || json.Unmarshal(raw, &bs) != nil {
		return nil
	}
	return bs
}

// modalForm is an open modal rendered as an HTML form.
type modalForm struct {
	ViewID, Hash, Title, Submit, Close, CallbackID string
	Depth                                          int // views under it in its stack
	Items                                          []modalItem
	Error                                          string // not tied to one input
}

// modalItem is one block of a modal: text, a divider or an input.
type modalItem struct {
	Kind  string // "header", "text", "divider", "input", "other"
	Text  []seg
	Field *modalField
}

// modalField is one input of a modal.
type modalField struct {
	Name        string // form field name: "in" + index of the input block
	Label, Hint string
	Placeholder string
	Type        string // the Slack element type
	Control     string // text, textarea, select, multiselect, checkboxes, radio, date, time, number, email, url
	Optional    bool
	MaxLength   int
	Value       string
	Options     []modalOption
	Error       string
	blockID     string
}

// modalOption is a choice of a select, checkbox or radio input. Segs and
// Description are shown next to checkboxes and radio buttons; a select
// shows Text.
type modalOption struct {
	Value, Text string
	Segs        []seg
	Description string
	Selected    bool
}

// controls maps Slack input elements to HTML controls. Selects of users and
// conversations offer the workspace's users and channels.
var controls = map[string]string{
	"plain_text_input": "text", "email_text_input": "email", "url_text_input": "url", "number_input": "number",
	"static_select": "select", "external_select": "select", "users_select": "select",
	"conversations_select": "select", "channels_select": "select", "radio_buttons": "radio",
	"multi_static_select": "multiselect", "multi_external_select": "multiselect", "multi_users_select": "multiselect",
	"multi_conversations_select": "multiselect", "multi_channels_select": "multiselect",
	"checkboxes": "checkboxes", "datepicker": "date", "timepicker": "time",
}

// pickLists are the choices of user and conversation selects.
type pickLists struct {
	users, channels []optionJSON
}

// pickListsLocked lists the people and open channels (s.mu held).
func (s *Server) pickListsLocked() pickLists {
	var p pickLists
	for _, u := range s.st.users {
		if !u.IsBot {
			p.users = append(p.users, optionJSON{Value: u.ID, Text: textObj{Text: "@" + u.Name + " (" + u.RealName + ")"}})
		}
	}
	for _, ch := range s.st.channels {
		if ch.name != "" && !ch.archived && !ch.mpim {
			p.channels = append(p.channels, optionJSON{Value: ch.id, Text: textObj{Text: "#" + ch.name}})
		}
	}
	return p
}

// choices returns the options an element offers.
func (p pickLists) choices(e *elementJSON) []optionJSON {
	switch {
	case strings.Contains(e.Type, "users_select"):
		return p.users
	case strings.Contains(e.Type, "conversations_select"), strings.Contains(e.Type, "channels_select"):
		return p.channels
	}
	return e.allOptions()
}

// initialValues returns what an element starts with, as form values.
func initialValues(e *elementJSON) []string {
	var out []string
	add := func(vs ...string) {
		for _, v := range vs {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	add(e.InitialValue, e.InitialUser, e.InitialConversation, e.InitialChannel, e.InitialDate, e.InitialTime)
	add(e.InitialUsers...)
	add(e.InitialConversations...)
	add(e.InitialChannels...)
	if e.InitialOption != nil {
		add(e.InitialOption.Value)
	}
	for _, o := range e.InitialOptions {
		add(o.Value)
	}
	return out
}

// buildModalForm renders view v as a form. filled holds the values of an
// earlier attempt (nil: the elements' initial values), errs the errors by
// block_id; md renders mrkdwn.
func buildModalForm(v *View, picks pickLists, filled url.Values, errs map[string]string, md func(string) []seg) modalForm {
	f := modalForm{ViewID: v.ID, Hash: v.Hash, CallbackID: v.CallbackID, Title: textOf(v.Title), Submit: textOf(v.Submit), Close: textOf(v.Close)}
	if f.Submit == "" {
		f.Submit = "Submit"
	}
	if f.Close == "" {
		f.Close = "Cancel"
	}
	for i, b := range parseBlockList(v.Blocks) {
		switch b.Type {
		case "header":
			f.Items = append(f.Items, modalItem{Kind: "header", Text: []seg{{Text: textPtr(b.Text)}}})
		case "section", "context":
			f.Items = append(f.Items, modalItem{Kind: "text", Text: md(blockText(b))})
		case "divider":
			f.Items = append(f.Items, modalItem{Kind: "divider"})
		case "input":
			if b.Element == nil {
				continue
			}
			e := b.Element
			fd := &modalField{Name: "in" + strconv.Itoa(i), Label: textPtr(b.Label), Hint: textPtr(b.Hint),
				Placeholder: textPtr(e.Placeholder), Type: e.Type, Control: controls[e.Type], Optional: b.Optional,
				MaxLength: e.MaxLength, Error: errs[b.BlockID], blockID: b.BlockID}
			if fd.Control == "" {
				f.Items = append(f.Items, modalItem{Kind: "other", Text: []seg{{Text: fd.Label + ": a " + e.Type + " input (not playable here)"}}})
				continue
			}
			if fd.Control == "text" && e.Multiline {
				fd.Control = "textarea"
			}
			vals := initialValues(e)
			if filled != nil {
				vals = filled[fd.Name]
			}
			for _, o := range picks.choices(e) {
				fd.Options = append(fd.Options, modalOption{Value: o.Value, Text: o.Text.Text, Segs: md(o.Text.Text),
					Description: textPtr(o.Description), Selected: contains(vals, o.Value)})
			}
			if len(vals) > 0 {
				fd.Value = vals[0]
			}
			f.Items = append(f.Items, modalItem{Kind: "input", Field: fd})
		default:
			if t := blockText(b); t != "" {
				f.Items = append(f.Items, modalItem{Kind: "text", Text: md(t)})
			}
		}
	}
	return f
}

// Input formats the browser cannot check for us.
var (
	dateFormat = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	timeFormat = regexp.MustCompile(`^\d{2}:\d{2}$`)
)

// modalValues turns a submitted form into view_submission state values
// (block_id → action_id → value), checking what Slack's client checks before
// it sends anything: required inputs, lengths, numbers, dates and times,
// and that choices are among the options. errs is keyed by block_id.
func modalValues(v *View, picks pickLists, form url.Values) (map[string]map[string]slack.BlockAction, map[string]string) {
	values := map[string]map[string]slack.BlockAction{}
	errs := map[string]string{}
	for i, b := range parseBlockList(v.Blocks) {
		if b.Type != "input" || b.Element == nil || controls[b.Element.Type] == "" {
			continue
		}
		e := b.Element
		var got []string
		for _, x := range form["in"+strconv.Itoa(i)] {
			if x = strings.TrimSpace(x); x != "" {
				got = append(got, x)
			}
		}
		one := ""
		if len(got) > 0 {
			one = got[0]
		}
		a := slack.BlockAction{ActionID: e.ActionID, BlockID: b.BlockID, Type: slack.ActionType(e.Type)}
		var opts []slack.OptionBlockObject
		if isChoice(e.Type) {
			for _, g := range got {
				o, ok := findOption(picks.choices(e), g)
				if !ok {
					errs[b.BlockID] = "Pick one of the options."
					continue
				}
				typ := o.Text.Type
				if typ == "" {
					typ = slack.PlainTextType
				}
				opts = append(opts, slack.OptionBlockObject{Value: o.Value, Text: &slack.TextBlockObject{Type: typ, Text: o.Text.Text}})
			}
		}
		switch {
		case len(got) == 0 && !b.Optional:
			errs[b.BlockID] = "Please complete this required field."
		case e.MaxLength > 0 && len([]rune(one)) > e.MaxLength:
			errs[b.BlockID] = "Please enter at most " + strconv.Itoa(e.MaxLength) + " characters."
		}
		switch e.Type {
		case "plain_text_input", "email_text_input", "url_text_input":
			a.Value = one
		case "number_input":
			a.Value = one
			if one != "" {
				if msg := checkNumber(e, one); msg != "" {
					errs[b.BlockID] = msg
				}
			}
		case "datepicker":
			a.SelectedDate = one
			if one != "" && !dateFormat.MatchString(one) {
				errs[b.BlockID] = "Enter a date as YYYY-MM-DD."
			}
		case "timepicker":
			a.SelectedTime = one
			if one != "" && !timeFormat.MatchString(one) {
				errs[b.BlockID] = "Enter a time as HH:MM."
			}
		case "users_select":
			a.SelectedUser = one
		case "multi_users_select":
			a.SelectedUsers = got
		case "conversations_select":
			a.SelectedConversation = one
		case "multi_conversations_select":
			a.SelectedConversations = got
		case "channels_select":
			a.SelectedChannel = one
		case "multi_channels_select":
			a.SelectedChannels = got
		case "static_select", "external_select", "radio_buttons":
			if len(opts) > 0 {
				a.SelectedOption = opts[0]
			}
		default: // checkboxes and multi selects of options
			a.SelectedOptions = append([]slack.OptionBlockObject{}, opts...)
		}
		if values[b.BlockID] == nil {
			values[b.BlockID] = map[string]slack.BlockAction{}
		}
		values[b.BlockID][e.ActionID] = a
	}
	return values, errs
}

// isChoice reports whether an element picks among options.
func isChoice(typ string) bool {
	switch controls[typ] {
	case "select", "multiselect", "checkboxes", "radio":
		return true
	}
	return false
}

// findOption finds the option with value v.
func findOption(opts []optionJSON, v string) (optionJSON, bool) {
	for _, o := range opts {
		if o.Value == v {
			return o, true
		}
	}
	return optionJSON{}, false
}

// checkNumber checks a number_input value the way Slack's client does.
func checkNumber(e *elementJSON, s string) string {
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || (!e.IsDecimalAllowed && strings.ContainsAny(s, ".eE")) {
		if e.IsDecimalAllowed {
			return "Enter a number."
		}
		return "Enter a whole number."
	}
	if lo, err := strconv.ParseFloat(e.MinValue, 64); err == nil && n < lo {
		return "Enter a number of at least " + e.MinValue + "."
	}
	if hi, err := strconv.ParseFloat(e.MaxValue, 64); err == nil && n > hi {
		return "Enter a number of at most " + e.MaxValue + "."
	}
	return ""
}

// textOf returns the text of a raw text object.
func textOf(raw json.RawMessage) string {
	var t textObj
	_ = json.Unmarshal(raw, &t)
	return t.Text
}

// textPtr returns the text of t, "" for nil.
func textPtr(t *textObj) string {
	if t == nil {
		return ""
	}
	return t.Text
}

// blockText returns the readable text of a section, header or context block.
func blockText(b blockJSON) string {
	var parts []string
	if t := textPtr(b.Text); t != "" {
		parts = append(parts, t)
	}
	for _, f := range b.Fields {
		parts = append(parts, f.Text)
	}
	if b.Type == "context" {
		for _, raw := range b.Elements {
			var t textObj
			if json.Unmarshal(raw, &t) == nil && t.Text != "" {
				parts = append(parts, t.Text)
			}
		}
	}
	return strings.Join(parts, "\n")
}
