package slackdoor

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

var _ StatusPagePublisher = (*fakeOps)(nil)

// PublishStatusPage plays the workflow's part: the first publication puts
// the incident on the status page; a drill's is only drafted.
func (f *fakeOps) PublishStatusPage(ctx context.Context, id string, req wfapi.PublishStatusPageRequest) (wfapi.PublishStatusPageOutcome, error) {
	var out wfapi.PublishStatusPageOutcome
	err := f.change(ctx, "PublishStatusPage", id, req, func(inc *incident.Incident) {
		if inc.Declaration.Kind == incident.KindDrill {
			out.Drafted = true // a drill keeps a draft, publishes nothing
			return
		}
		out.Created = inc.StatusPage == nil
		if inc.StatusPage == nil {
			inc.StatusPage = &incident.StatusPage{Name: req.Name, PageIncidentID: "sp1", Components: req.Components}
		}
		out.PageIncidentID, out.Queued = "sp1", 1
	})
	return out, err
}

// withStatusPage sets a status page up, with components for checkout.
func withStatusPage() doorOption {
	return func(o *FrontDoorOptions) {
		o.Process.StatusPage = true
		o.Process.Services["checkout"] = incident.Service{StatusPageComponents: []string{"cmpcheckout", "cmpapi"}}
	}
}

// checkoutRoom is a war room of a critical checkout incident.
func (d *door) checkoutRoom(security bool) (incident.Declaration, string) {
	d.t.Helper()
	decl, room := d.warRoom("Checkout 502s on payments-7f3")
	d.ops.mu.Lock()
	inc := d.ops.incidents[decl.ID]
	inc.Declaration.Service, inc.Declaration.Security, inc.Severity = "checkout", security, incident.Critical
	d.ops.mu.Unlock()
	return decl, room
}

// viewInputs maps each input block of v to its element's initial value
// (text, or the selected option's value).
func viewInputs(t *testing.T, v slackemu.View) map[string]string {
	t.Helper()
	var blocks slack.Blocks
	if err := json.Unmarshal(v.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, b := range blocks.BlockSet {
		in, ok := b.(*slack.InputBlock)
		if !ok {
			continue
		}
		switch el := in.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			out[in.BlockID] = el.InitialValue
		case *slack.SelectBlockElement:
			out[in.BlockID] = ""
			if el.InitialOption != nil {
				out[in.BlockID] = el.InitialOption.Value
			}
		default:
			out[in.BlockID] = "(" + string(in.Element.ElementType()) + ")"
		}
	}
	return out
}

func (f *fakeOps) publications() []wfapi.PublishStatusPageRequest {
	var out []wfapi.PublishStatusPageRequest
	for _, c := range f.callsOf("PublishStatusPage") {
		out = append(out, c.Arg.(wfapi.PublishStatusPageRequest))
	}
	return out
}

func TestThePublishButtonOpensAPublicFormAndPublishes(t *testing.T) {
	d := newDoor(t, withStatusPage())
	decl, room := d.checkoutRoom(false)
	ts := d.postButtons(room, decl.ID, wfapi.ActionPublishStatusPage)
	d.click(room, ts, wfapi.ActionPublishStatusPage, slackemu.UserAlice)
	v := d.openView(CallbackStatusPage)

	want := map[string]string{
		FieldPublicName:   "Degraded service: checkout",
		FieldPublicBody:   "We're investigating reports of problems with checkout. We'll post an update as soon as we know more.",
		FieldPublicStatus: "investigating", FieldPublicImpact: "critical",
		"component_cmpcheckout": "partial_outage", "component_cmpapi": "partial_outage",
	}
	if got := viewInputs(t, v); !reflect.DeepEqual(got, want) {
		t.Errorf("form %v, want %v", got, want)
	}
	if strings.Contains(string(v.Blocks), "payments-7f3") {
		t.Error("the internal title is in the public form")
	}
	d.submit(v.ID, slackemu.UserAlice, form().
		text(FieldPublicName, "Degraded service: checkout").text(FieldPublicBody, "Some payments fail. We're on it.").
		sel(FieldPublicStatus, "identified").sel(FieldPublicImpact, "major").sel("component_cmpcheckout", "major_outage"))
	eventually(t, "published", func() bool { return len(d.ops.publications()) == 1 })
	got := d.ops.publications()[0]
	wantReq := wfapi.PublishStatusPageRequest{By: slackemu.UserAlice, Name: "Degraded service: checkout", Body: "Some payments fail. We're on it.",
		Status: "identified", Impact: "major", Components: map[string]string{"cmpcheckout": "major_outage"}}
	if !reflect.DeepEqual(got, wantReq) {
		t.Errorf("published %+v, want %+v", got, wantReq)
	}
}

// A security incident's form opens empty, and only what its commander
// types into it is marked as typed by the commander.
func TestASecurityIncidentsFormOpensEmpty(t *testing.T) {
	d := newDoor(t, withStatusPage())
	decl, room := d.checkoutRoom(true)
	d.command(room, slackemu.UserAlice, "statuspage publish")
	v := d.openView(CallbackStatusPage)
	inputs := viewInputs(t, v)
	if inputs[FieldPublicName] != "" || inputs[FieldPublicBody] != "" {
		t.Errorf("a security incident's public text is prefilled: %v", inputs)
	}
	if !decodeMeta(v.PrivateMetadata).Blank {
		t.Error("the form doesn't say it opened empty")
	}
	d.submit(v.ID, slackemu.UserAlice, form().text(FieldPublicName, "Login issues").text(FieldPublicBody, "Some customers must sign in again."))
	eventually(t, "published", func() bool { return len(d.ops.publications()) == 1 })
	if got := d.ops.publications()[0]; !got.TypedByCommander || got.By != slackemu.UserAlice || got.Name != "Login issues" {
		t.Errorf("published %+v", got)
	}
	_ = decl
}

func TestOnlyThoseWhoMayPublishGetTheForm(t *testing.T) {
	d := newDoor(t, withStatusPage())
	decl, room := d.checkoutRoom(false)
	got := replyText(d.command(room, slackemu.UserBob, "statuspage publish"))
	if !strings.Contains(got, "can publish this incident to the status page") {
		t.Errorf("Bob, who holds no role: %q", got)
	}
	ts := d.postButtons(room, decl.ID, wfapi.ActionPublishStatusPage)
	d.click(room, ts, wfapi.ActionPublishStatusPage, slackemu.UserBob)
	eventually(t, "told", func() bool {
		return slicesContainSub(d.ephemeralTexts(room, slackemu.UserBob), "can publish this incident to the status page")
	})
	if n := len(d.ops.publications()); n != 0 {
		t.Errorf("%d publications", n)
	}
}

func TestWithoutAStatusPageTheCommandSaysSo(t *testing.T) {
	d := newDoor(t)
	_, room := d.checkoutRoom(false)
	if got := replyText(d.command(room, slackemu.UserAlice, "statuspage publish")); !strings.Contains(got, "No status page is set up") {
		t.Errorf("reply %q", got)
	}
	if got := replyText(d.command(room, slackemu.UserAlice, "help")); strings.Contains(got, "statuspage") {
		t.Errorf("help lists a command that can't work: %q", got)
	}
	if got := replyText(d.command(room, slackemu.UserAlice, "statuspage")); !strings.Contains(got, "type /incident statuspage publish") {
		t.Errorf("reply %q", got)
	}
}

// Once the incident is on the status page, the update form offers to
// publish the update, with its own public text.
func TestTheUpdateFormPublishesOnceTheIncidentIsPublic(t *testing.T) {
	d := newDoor(t, withStatusPage())
	decl, room := d.checkoutRoom(false)
	if got := replyText(d.command(room, slackemu.UserAlice, "help")); !strings.Contains(got, "`/incident statuspage publish`") {
		t.Errorf("help doesn't list the command: %q", got)
	}
	d.command(room, slackemu.UserAlice, "update")
	if _, offered := viewInputs(t, d.openView(CallbackUpdate))[FieldAlsoPublish]; offered {
		t.Error("an incident not on the status page is offered publishing")
	}
	d.ops.mu.Lock()
	d.ops.incidents[decl.ID].StatusPage = &incident.StatusPage{Name: "Degraded service: checkout", PageIncidentID: "sp1"}
	d.ops.mu.Unlock()

	d.command(room, slackemu.UserBob, "update")
	if _, offered := viewInputs(t, d.openView(CallbackUpdate))[FieldAlsoPublish]; offered {
		t.Error("Bob, who may not publish, is offered publishing")
	}
	d.command(room, slackemu.UserAlice, "update identified")
	v := d.openView(CallbackUpdate)
	if _, offered := viewInputs(t, v)[FieldAlsoPublish]; !offered {
		t.Fatal("no “Also publish” checkbox")
	}
	rep := d.submit(v.ID, slackemu.UserAlice, form().sel(FieldStatus, "identified").text(FieldText, "Bad deploy of payments-7f3").
		check(FieldAlsoPublish, alsoPublishValue))
	if !strings.Contains(string(rep.Body), "the update above stays internal") {
		t.Errorf("ticked without public text: %s", rep.Body)
	}
	d.submit(v.ID, slackemu.UserAlice, form().sel(FieldStatus, "identified").text(FieldText, "Bad deploy of payments-7f3").
		check(FieldAlsoPublish, alsoPublishValue).text(FieldPublicBody, "We found the cause."))
	eventually(t, "posted", func() bool { return len(d.ops.callsOf("PostStatus")) == 1 })
	req := d.ops.callsOf("PostStatus")[0].Arg.(wfapi.PostStatusRequest)
	if req.Public == nil || req.Public.Body != "We found the cause." || req.Text != "Bad deploy of payments-7f3" {
		t.Errorf("posted %+v (public %+v)", req, req.Public)
	}
}

func TestStatusPageCommandParses(t *testing.T) {
	for text, ok := range map[string]bool{"statuspage publish": true, "status-page Publish": true, "statuspage": false, "statuspage unpublish": false} {
		cmd, err := ParseCommand(text)
		if ok != (err == nil) || (ok && cmd.Verb != VerbStatusPage) {
			t.Errorf("%q: %+v, %v", text, cmd, err)
		}
	}
}

// slicesContainSub reports whether any of texts contains sub.
func slicesContainSub(texts []string, sub string) bool {
	for _, s := range texts {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// FuzzStatusPageSubmission: whatever a person types, picks or forges into
// the status page form or the update form's status page part (and
// whatever the form's metadata), the door doesn't panic, answers "clear"
// or inline errors under the form's own inputs, and hands Temporal only
// requests that pass their own checks.
func FuzzStatusPageSubmission(f *testing.F) {
	for _, seed := range []struct {
		update                                 bool
		meta, name, body, status, comp, compSt string
	}{
		{false, "", "Degraded service: checkout", "Some payments fail", "identified", "cmpcheckout", "partial_outage"},
		{false, `{"b":true}`, "", "", "resolved", "cmp checkout", "broken"},
		{false, `{"b":`, strings.Repeat("n", wfapi.MaxPublicName+1), "\x00\u202e", "\xff", "", "operational"},
		{true, "", "", "We found it", "monitoring", "cmpapi", "major_outage"},
		{true, "", "", strings.Repeat("x", MaxText+1), "nope", "", ""},
	} {
		f.Add(seed.update, seed.meta, seed.name, seed.body, seed.status, seed.comp, seed.compSt)
	}
	fields := []string{FieldPublicName, FieldPublicBody, FieldPublicStatus, FieldPublicImpact, FieldAlsoPublish, FieldStatus, FieldText, FieldNextUpdate}
	f.Fuzz(func(t *testing.T, update bool, meta, name, body, status, comp, compSt string) {
		d := newDoor(t, withStatusPage())
		decl, _ := d.checkoutRoom(false)
		m := decodeMeta(meta)
		m.Incident, m.Channel = decl.ID, "C1"
		values := form().text(FieldPublicName, name).text(FieldPublicBody, body).sel(FieldPublicStatus, status).
			sel(FieldPublicImpact, compSt).sel(fieldComponentPrefix+comp, compSt).check(FieldAlsoPublish, alsoPublishValue).
			sel(FieldStatus, "identified").text(FieldText, "internal")
		callback := CallbackStatusPage
		if update {
			callback = CallbackUpdate
		}
		cb := slack.InteractionCallback{
			Type: slack.InteractionTypeViewSubmission, Team: slack.Team{ID: slackemu.TeamID}, User: slack.User{ID: slackemu.UserAlice},
			View: slack.View{ID: "VFUZZ", Type: slack.VTModal, CallbackID: callback, PrivateMetadata: m.encode(), State: &slack.ViewState{Values: values}},
		}
		payload, err := json.Marshal(cb)
		if err != nil {
			t.Fatal(err)
		}
		rec := d.serveSigned("/slack/interactions", formType, []byte(url.Values{"payload": {string(payload)}}.Encode()))
		checkAnswer(t, rec)
		if body := rec.Body.Bytes(); len(body) > 0 {
			var answer slack.ViewSubmissionResponse
			if err := json.Unmarshal(body, &answer); err != nil {
				t.Fatalf("answer %q: %v", body, err)
			}
			for field, msg := range answer.Errors {
				if !slices.Contains(fields, field) || strings.TrimSpace(msg) == "" {
					t.Fatalf("error %q under %q", msg, field)
				}
			}
		}
		checkCalls(t, d)
		for _, req := range d.ops.publications() {
			if err := req.Check(); err != nil {
				t.Fatalf("published %+v, which its check refuses: %v", req, err)
			}
		}
		for _, c := range d.ops.callsOf("PostStatus") {
			if err := c.Arg.(wfapi.PostStatusRequest).Check(); err != nil {
				t.Fatalf("posted %+v: %v", c.Arg, err)
			}
		}
	})
}
