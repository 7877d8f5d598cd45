package slackdoor

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// typedHostile is text a user could type into a command or a form: a NUL, a
// right-to-left override, a terminal colour code and an isolate.
// typedClean is what Slack must be sent of it.
const (
	typedHostile = "Checkout \x00down\u202e \x1b[31mred\x1b[0m\u2066 now"
	typedClean   = "Checkout down [31mred[0m now"
)

// wantCleanReply fails unless got (a reply quoting typedHostile, what) holds
// it cleaned and nothing Clean removes.
func wantCleanReply(t *testing.T, what, got string) {
	t.Helper()
	if strings.ContainsAny(got, "\x00\x1b\u202e\u2066") {
		t.Errorf("%s holds control or bidi characters: %q", what, got)
	}
	if !strings.Contains(got, typedClean) {
		t.Errorf("%s = %q, want it to quote %q", what, got, typedClean)
	}
}

// initialValues returns the initial values of a view's text fields.
func initialValues(t *testing.T, blocks json.RawMessage) []string {
	t.Helper()
	var list []struct {
		Element struct {
			InitialValue string `json:"initial_value"`
		} `json:"element"`
	}
	if err := json.Unmarshal(blocks, &list); err != nil {
		t.Fatalf("blocks %s: %v", blocks, err)
	}
	var out []string
	for _, b := range list {
		if b.Element.InitialValue != "" {
			out = append(out, b.Element.InitialValue)
		}
	}
	return out
}

func TestCommandRepliesAndFormsAreClean(t *testing.T) {
	d := newDoor(t)
	rep := d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "Check\x00out\u202e now")
	if got := replyText(rep); strings.ContainsAny(got, "\x00\u202e") || !strings.Contains(got, "“Checkout”") {
		t.Errorf("the unknown subcommand is quoted as %q, want “Checkout” and no control or bidi characters", got)
	}

	_, room := d.warRoom(typedHostile)
	wantCleanReply(t, "/incident status", replyText(d.command(room, slackemu.UserAlice, "status")))
	wantCleanReply(t, "/incident list", replyText(d.command(room, slackemu.UserAlice, "list")))

	d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "declare "+typedHostile)
	values := initialValues(t, d.openView(CallbackDeclare).Blocks)
	if len(values) != 1 {
		t.Fatalf("the declare form starts with %q, want the title", values)
	}
	wantCleanReply(t, "the declare form's title", values[0])
}

func TestSubmissionRefusalsAreClean(t *testing.T) {
	d := newDoor(t)
	_, room := d.warRoom("Payments slow")
	refusal := temporal.NewApplicationError("an update can't say “"+typedHostile+"”", "Refused")

	d.command(room, slackemu.UserAlice, "update")
	v := d.openView(CallbackUpdate)
	d.ops.fail = refusal
	rep := d.submit(v.ID, "", form().sel(FieldStatus, "identified").text(FieldText, typedHostile))
	if rep.ResponseAction != "errors" {
		t.Fatalf("answered %s, want the refusal on the form", rep.Body)
	}
	wantCleanReply(t, "the form's refusal", rep.Errors[FieldText])

	// Past SubmitWait the form closes and the refusal comes as a message.
	d.ops.fail = nil
	d.command(room, slackemu.UserAlice, "update")
	v = d.openView(CallbackUpdate)
	d.ops.delay.Store(int64(200 * time.Millisecond))
	d.ops.fail = refusal
	if rep := d.submit(v.ID, "", form().sel(FieldStatus, "identified").text(FieldText, "x")); rep.ResponseAction != "clear" {
		t.Fatalf("answered %s, want the form closed", rep.Body)
	}
	d.fd.Wait()
	told := d.ephemeralTexts(room, slackemu.UserAlice)
	if len(told) == 0 {
		t.Fatal("the late refusal was not told")
	}
	for _, text := range told {
		wantCleanReply(t, "the late refusal", text)
	}
}

// TestFieldErrorsAreClean: the forms' own errors quote typed text with %q
// today; one that quotes it as it is still reaches Slack cleaned.
func TestFieldErrorsAreClean(t *testing.T) {
	errs := fieldErrors{}
	errs.add(FieldText, "“%s” can't be posted", typedHostile)
	wantCleanReply(t, "a form's error", errs[FieldText])
}
