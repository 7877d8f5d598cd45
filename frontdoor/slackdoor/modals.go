package slackdoor

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
)

// Callback IDs of the modals the front door opens, and of the shortcuts in
// slack-app-manifest.yaml.
const (
	CallbackDeclare     = "incident_declare"
	CallbackUpdate      = "incident_update"
	CallbackSeverity    = "incident_severity"
	CallbackRole        = "incident_role"
	CallbackResolve     = "incident_resolve"
	CallbackActionItems = "retro_action_items"
	// ShortcutDeclareFromMessage is the message shortcut "Declare incident".
	ShortcutDeclareFromMessage = "declare_from_message"
	// ShortcutDeclare is the global shortcut "Declare an incident".
	ShortcutDeclare = "declare_incident"
)

// Field IDs of the modals' inputs: each is both the block_id and the
// action_id, so view_submission values read state.values[F][F].
const (
	FieldTitle      = "title"       // declare: plain text, required
	FieldSummary    = "summary"     // declare: plain text, optional
	FieldSeverity   = "severity"    // declare, severity: static select
	FieldService    = "service"     // declare: static select, when services are configured
	FieldCommander  = "commander"   // declare: users select, defaults to the caller
	FieldSecurity   = "security"    // declare: checkbox "security"
	FieldStatus     = "status"      // update: static select
	FieldText       = "text"        // update, action items: plain text, required
	FieldNextUpdate = "next_update" // update: number of minutes, optional
	FieldReason     = "reason"      // severity: plain text, optional
	FieldRole       = "role"        // role: static select commander/comms
	FieldUser       = "user"        // role: users select
	FieldResolution = "resolution"  // resolve: plain text, required
	FieldOwner      = "owner"       // action items: users select, optional
	FieldDue        = "due"         // action items: date picker, optional
)

// Limits the modals enforce: the title and texts are incidentflow's own
// bounds, which the workflows and the starter enforce for every door.
const (
	MaxTitle      = incident.MaxTitle                         // characters in an incident title
	MaxText       = incident.MaxText                          // characters in a summary, update or resolution
	MinNextUpdate = int(incident.MinNextUpdate / time.Minute) // minutes until the next update, at least
	MaxNextUpdate = int(incident.MaxNextUpdate / time.Minute) // and at most
)

// securityValue is the value of the "security incident" checkbox.
const securityValue = "security"

// viewMeta travels in a modal's private_metadata from opening to submission.
type viewMeta struct {
	Incident string `json:"i,omitempty"` // incident (or window) ID
	Channel  string `json:"c,omitempty"` // where the command or button was used
	Source   string `json:"s,omitempty"` // permalink of the message declared from
	// AlertGroup is the alert group a declare modal opened from a triage
	// prompt declares.
	AlertGroup string `json:"a,omitempty"`
	// Nonce is minted when the declare modal opens. With the view ID it
	// keys the incident ID: repeats of one submission share both, while a
	// view ID seen again after a sandbox restart gets a new incident.
	Nonce string `json:"n,omitempty"`
	// Blank is set on a status page form whose public title and text
	// opened empty: what the submitter sends is what they typed
	// (wfapi.PublishStatusPageRequest.TypedByCommander).
	Blank bool `json:"b,omitempty"`
}

// newNonce returns 8 random bytes in hex.
func newNonce() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// declarationID is the incident ID a submitted declare modal names: the same
// for every delivery of the same submission, so a double submit or a Slack
// retry joins the incident instead of declaring another.
func declarationID(v slack.View) string {
	key := v.ID
	if n := decodeMeta(v.PrivateMetadata).Nonce; n != "" {
		key += "/" + n
	}
	return incident.IDFromKey(key)
}

func (m viewMeta) encode() string {
	b, _ := json.Marshal(m)
	return string(b)
}

func decodeMeta(s string) viewMeta {
	var m viewMeta
	_ = json.Unmarshal([]byte(s), &m)
	return m
}

func plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, false, false)
}

func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}

// textInput is a text field starting with initial (maybe what was typed
// after the command), cleaned of control and bidi characters.
func textInput(field, label, placeholder, initial string, multiline bool, maxLen int, optional bool) *slack.InputBlock {
	el := slack.NewPlainTextInputBlockElement(plain(placeholder), field)
	el.Multiline = multiline
	el.MaxLength = maxLen
	el.InitialValue = clampRunes(incident.Clean(initial), maxLen)
	in := slack.NewInputBlock(field, plain(label), nil, el)
	in.Optional = optional
	return in
}

func option(value, text string) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(value, plain(incident.Truncate(text, 75)), nil)
}

func staticSelect(field, label, placeholder string, options []*slack.OptionBlockObject, initial string, optional bool) *slack.InputBlock {
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(placeholder), field, options...)
	for _, o := range options {
		if o.Value == initial {
			el.InitialOption = o
		}
	}
	in := slack.NewInputBlock(field, plain(label), nil, el)
	in.Optional = optional
	return in
}

func usersSelect(field, label, initial string, optional bool) *slack.InputBlock {
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Pick a person"), field)
	if incident.IsUserID(initial) {
		el.InitialUser = initial
	}
	in := slack.NewInputBlock(field, plain(label), nil, el)
	in.Optional = optional
	return in
}

func modal(callbackID, title, submit string, meta viewMeta, blocks ...slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackID,
		Title:           plain(title),
		Submit:          plain(submit),
		Close:           plain("Cancel"),
		PrivateMetadata: meta.encode(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// declarePrefill is what the declare modal starts with.
type declarePrefill struct {
	Title, Summary, Commander string
	Severity                  incident.Severity
	Service                   string
	Meta                      viewMeta
}

func (f *FrontDoor) severityOptions() []*slack.OptionBlockObject {
	var opts []*slack.OptionBlockObject
	for _, sp := range f.process.Severities {
		text := strings.ToUpper(string(sp.Name))
		if sp.Description != "" {
			text += " — " + sp.Description
		}
		opts = append(opts, option(string(sp.Name), text))
	}
	return opts
}

// declareView is the declare modal.
func (f *FrontDoor) declareView(p declarePrefill) slack.ModalViewRequest {
	blocks := []slack.Block{
		textInput(FieldTitle, "Title", "What is broken, in a few words", p.Title, false, MaxTitle, false),
		textInput(FieldSummary, "Summary", "What do you see? Who is affected?", p.Summary, true, MaxText, true),
		staticSelect(FieldSeverity, "Severity", "How bad is it?", f.severityOptions(), string(p.Severity), false),
	}
	if len(f.process.Services) > 0 {
		opts := f.serviceOptions()
		if len(opts) > 100 {
			opts = opts[:100] // Slack's limit for a static select
		}
		blocks = append(blocks, staticSelect(FieldService, "Service", "Which service?", opts, p.Service, true))
	}
	blocks = append(blocks, usersSelect(FieldCommander, "Commander", p.Commander, true))
	check := slack.NewCheckboxGroupsBlockElement(FieldSecurity,
		slack.NewOptionBlockObject(securityValue, mrkdwn("*Security incident*"),
			plain("Private war room; no details in other channels")))
	sec := slack.NewInputBlock(FieldSecurity, plain("Security"), nil, check)
	sec.Optional = true
	blocks = append(blocks, sec)
	if p.Meta.Source != "" {
		blocks = append(blocks, slack.NewContextBlock("source",
			mrkdwn("Declared from <"+p.Meta.Source+"|this message>")))
	}
	p.Meta.Nonce = newNonce()
	return modal(CallbackDeclare, "Declare an incident", "Declare", p.Meta, blocks...)
}

// updateView is the status-update modal.
func (f *FrontDoor) updateView(meta viewMeta, status incident.Status, text string) slack.ModalViewRequest {
	var opts []*slack.OptionBlockObject
	for _, st := range incident.UpdateStatuses {
		opts = append(opts, option(string(st), capitalize(string(st))))
	}
	next := slack.NewNumberInputBlockElement(plain("Minutes (default: the severity's cadence)"), FieldNextUpdate, false)
	next.MinValue, next.MaxValue = strconv.Itoa(MinNextUpdate), strconv.Itoa(MaxNextUpdate)
	nextIn := slack.NewInputBlock(FieldNextUpdate, plain("Next update in (minutes)"), nil, next)
	nextIn.Optional = true
	return modal(CallbackUpdate, "Status update", "Post", meta,
		header(meta.Incident),
		staticSelect(FieldStatus, "Status", "Where does it stand?", opts, string(status), false),
		textInput(FieldText, "Update", "What changed, what's next", text, true, MaxText, false),
		nextIn,
	)
}

// severityView is the change-severity modal.
func (f *FrontDoor) severityView(meta viewMeta) slack.ModalViewRequest {
	return modal(CallbackSeverity, "Change severity", "Change", meta,
		header(meta.Incident),
		staticSelect(FieldSeverity, "New severity", "How bad is it now?", f.severityOptions(), "", false),
		textInput(FieldReason, "Why", "Optional", "", false, 500, true),
	)
}

// roleView is the assign-role modal.
func (f *FrontDoor) roleView(meta viewMeta) slack.ModalViewRequest {
	opts := []*slack.OptionBlockObject{
		option(string(incident.Commander), "Commander (leads the response)"),
		option(string(incident.Comms), "Comms (keeps stakeholders informed)"),
	}
	return modal(CallbackRole, "Assign a role", "Assign", meta,
		header(meta.Incident),
		staticSelect(FieldRole, "Role", "Which role?", opts, string(incident.Commander), false),
		usersSelect(FieldUser, "Person", "", false),
	)
}

// resolveView is the resolve modal.
func (f *FrontDoor) resolveView(meta viewMeta, summary string) slack.ModalViewRequest {
	return modal(CallbackResolve, "Resolve incident", "Resolve", meta,
		header(meta.Incident),
		textInput(FieldResolution, "Resolution", "What fixed it? What is the impact?", summary, true, MaxText, false),
	)
}

// actionItemsView is the add-action-item modal of the retrospective.
func (f *FrontDoor) actionItemsView(meta viewMeta) slack.ModalViewRequest {
	due := slack.NewDatePickerBlockElement(FieldDue)
	due.Placeholder = plain("Pick a date")
	dueIn := slack.NewInputBlock(FieldDue, plain("Due"), nil, due)
	dueIn.Optional = true
	return modal(CallbackActionItems, "Add action item", "Add", meta,
		header(meta.Incident),
		textInput(FieldText, "Action item", "What needs doing", "", true, MaxText, false),
		usersSelect(FieldOwner, "Owner", "", true),
		dueIn,
	)
}

func header(id string) slack.Block {
	return slack.NewContextBlock("incident", mrkdwn("Incident `"+id+"`"))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// clampRunes cuts s to at most n characters.
func clampRunes(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// formValues reads a submitted view's inputs.
type formValues struct{ v *slack.ViewState }

func (fv formValues) get(field string) slack.BlockAction {
	if fv.v == nil {
		return slack.BlockAction{}
	}
	return fv.v.Values[field][field]
}

// text returns a text input's value, trimmed.
func (fv formValues) text(field string) string { return strings.TrimSpace(fv.get(field).Value) }

// selected returns a static select's value.
func (fv formValues) selected(field string) string { return fv.get(field).SelectedOption.Value }

// user returns a users select's value.
func (fv formValues) user(field string) string { return fv.get(field).SelectedUser }

// checked reports whether a checkbox group has value checked.
func (fv formValues) checked(field, value string) bool {
	for _, o := range fv.get(field).SelectedOptions {
		if o.Value == value {
			return true
		}
	}
	return false
}

// fieldErrors collects inline errors for response_action "errors".
type fieldErrors map[string]string

// add records the error of field unless it has one; the error may quote
// what was typed, so it is cleaned of control and bidi characters.
func (e fieldErrors) add(field, format string, args ...any) {
	if _, ok := e[field]; !ok {
		e[field] = incident.Clean(fmt.Sprintf(format, args...))
	}
}

func (e fieldErrors) response() *slack.ViewSubmissionResponse {
	if len(e) == 0 {
		return nil
	}
	return slack.NewErrorsViewSubmissionResponse(e)
}

// checkText reports a required or over-long text field.
func checkText(errs fieldErrors, field, what, value string, required bool, max int) {
	switch n := utf8.RuneCountInString(value); {
	case required && value == "":
		errs.add(field, "%s can't be empty.", what)
	case n > max:
		errs.add(field, "%s is %d characters long; keep it to %d.", what, n, max)
	}
}

// declaration reads and checks the declare modal.
func (f *FrontDoor) declaration(v slack.View, user string, now time.Time) (incident.Declaration, fieldErrors) {
	fv := formValues{v.State}
	meta := decodeMeta(v.PrivateMetadata)
	errs := fieldErrors{}
	d := incident.Declaration{
		ID:            declarationID(v),
		Title:         strings.Join(strings.Fields(fv.text(FieldTitle)), " "),
		Summary:       fv.text(FieldSummary),
		Severity:      incident.Severity(fv.selected(FieldSeverity)),
		Service:       fv.selected(FieldService),
		Commander:     fv.user(FieldCommander),
		Declarer:      user,
		Security:      fv.checked(FieldSecurity, securityValue),
		Kind:          incident.KindIncident,
		Source:        incident.SourceSlack,
		DeclaredAt:    now.UTC(),
		OriginChannel: meta.Channel,
		SourceMessage: meta.Source,
	}
	if d.Commander == "" {
		d.Commander = user
	}
	checkText(errs, FieldTitle, "The title", d.Title, true, MaxTitle)
	checkText(errs, FieldSummary, "The summary", d.Summary, false, MaxText)
	if d.Severity == "" {
		errs.add(FieldSeverity, "Pick a severity: %s.", strings.Join(f.process.SeverityNames(), ", "))
	} else if err := f.process.CheckSeverity(d.Severity); err != nil {
		errs.add(FieldSeverity, "%s.", capitalize(err.Error()))
	}
	if d.Service != "" {
		if _, ok := f.process.Services[d.Service]; !ok {
			errs.add(FieldService, "Unknown service %q; pick one from the list.", d.Service)
		}
	}
	return d, errs
}

// nextUpdateIn reads the optional "next update in" minutes.
func nextUpdateIn(errs fieldErrors, raw string) time.Duration {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < MinNextUpdate || n > MaxNextUpdate {
		errs.add(FieldNextUpdate, "Give a whole number of minutes from %d to %d.", MinNextUpdate, MaxNextUpdate)
		return 0
	}
	return time.Duration(n) * time.Minute
}
