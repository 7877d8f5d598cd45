package slackemu_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// declareModal is a small modal with one input.
func declareModal() slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		Title:      slack.NewTextBlockObject("plain_text", "Declare incident", false, false),
		Submit:     slack.NewTextBlockObject("plain_text", "Declare", false, false),
		CallbackID: "declare",
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("title", slack.NewTextBlockObject("plain_text", "Title", false, false), nil,
				slack.NewPlainTextInputBlockElement(nil, "title_input")),
		}},
		PrivateMetadata: `{"channel":"C0INCIDENTS"}`,
	}
}

func TestTriggerRules(t *testing.T) {
	srv, api, clock := newEmu(t, slackemu.Options{})
	trig := srv.MintTriggerID()
	res, err := api.OpenView(trig, declareModal())
	must(t, err)
	if res.View.ID == "" || res.View.Hash == "" || res.View.CallbackID != "declare" || res.View.PrivateMetadata == "" {
		t.Fatalf("view = %+v", res.View)
	}
	v, ok := srv.View(res.View.ID)
	if !ok || !v.Open || v.Type != "modal" || v.CallbackID != "declare" {
		t.Fatalf("stored view = %+v", v)
	}

	_, err = api.OpenView(trig, declareModal())
	wantSlackErr(t, err, "exchanged_trigger_id")

	late := srv.MintTriggerID()
	clock.Advance(3*time.Second + time.Millisecond)
	_, err = api.OpenView(late, declareModal())
	wantSlackErr(t, err, "expired_trigger_id")

	_, err = api.OpenView("12345.67890.abcdef", declareModal())
	wantSlackErr(t, err, "invalid_trigger_id")
}

func TestViewLimits(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{})
	big := declareModal()
	for range 100 {
		big.Blocks.BlockSet = append(big.Blocks.BlockSet, slack.NewDividerBlock())
	}
	_, err := api.OpenView(srv.MintTriggerID(), big)
	wantSlackErr(t, err, "view_too_large")

	huge := declareModal()
	huge.PrivateMetadata = ""
	huge.Blocks.BlockSet = append(huge.Blocks.BlockSet, slack.NewSectionBlock(
		slack.NewTextBlockObject("mrkdwn", strings.Repeat("x", 260*1024), false, false), nil, nil))
	_, err = api.OpenView(srv.MintTriggerID(), huge)
	wantSlackErr(t, err, "view_too_large")

	noTitle := declareModal()
	noTitle.Title = nil
	_, err = api.OpenView(srv.MintTriggerID(), noTitle)
	wantSlackErr(t, err, "invalid_arguments")
}

func TestViewUpdatePushPublish(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{})
	res, err := api.OpenView(srv.MintTriggerID(), declareModal())
	must(t, err)
	id, hash := res.View.ID, res.View.Hash

	updated := declareModal()
	updated.Title = slack.NewTextBlockObject("plain_text", "Declare (step 2)", false, false)
	up, err := api.UpdateView(updated, "", hash, id)
	must(t, err)
	if up.View.Hash == hash {
		t.Fatal("hash did not change")
	}
	_, err = api.UpdateView(updated, "", hash, id)
	wantSlackErr(t, err, "hash_conflict")
	_, err = api.UpdateView(updated, "", "", "V0NOPE")
	wantSlackErr(t, err, "not_found")

	pushed, err := api.PushView(srv.MintTriggerID(), declareModal())
	must(t, err)
	if pushed.View.ID == id {
		t.Fatal("push reused the id")
	}

	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*Open incidents:* none", false, false), nil, nil)}}}
	pub, err := api.PublishView(slackemu.UserAlice, home, "")
	must(t, err)
	pub2, err := api.PublishView(slackemu.UserAlice, home, pub.View.Hash)
	must(t, err)
	if pub2.View.ID != pub.View.ID {
		t.Fatal("App Home of a user should keep its id")
	}
	_, err = api.PublishView(slackemu.UserAlice, home, "stale")
	wantSlackErr(t, err, "hash_conflict")
	_, err = api.PublishView("U0NOBODY", home, "")
	wantSlackErr(t, err, "user_not_found")
	if n := len(srv.Views()); n != 3 {
		t.Fatalf("views = %d", n)
	}
}
