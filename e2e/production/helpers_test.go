package production_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// declare declares an incident the way a responder does, through the
// front doors (behind the balancer): `/incident declare <title>` in
// #incidents, then the declare modal submitted with sev.
func declare(ctx context.Context, title string, sev incident.Severity) error {
	rep, err := slackEmu.SlashCommand(ctx, slackemu.SlashCommand{Text: "declare " + title, UserID: slackemu.UserAlice, ChannelID: slackemu.IncidentsChannelID})
	if err != nil {
		return fmt.Errorf("%q: /incident declare: %w", title, err)
	}
	if rep.Status != http.StatusOK || len(rep.Body) > 0 {
		return fmt.Errorf("%q: /incident declare answered HTTP %d %q (a modal opens with an empty answer)", title, rep.Status, rep.Body)
	}
	view, err := openView(ctx, slackdoor.CallbackDeclare, title)
	if err != nil {
		return fmt.Errorf("%q: %w", title, err)
	}
	rep, err = slackEmu.SubmitView(ctx, view, "", map[string]map[string]slack.BlockAction{
		slackdoor.FieldTitle:    {slackdoor.FieldTitle: {Value: title}},
		slackdoor.FieldSeverity: {slackdoor.FieldSeverity: {SelectedOption: slack.OptionBlockObject{Value: string(sev)}}},
	})
	if err != nil {
		return fmt.Errorf("%q: submitting the declare modal: %w", title, err)
	}
	if rep.Status != http.StatusOK || rep.ResponseAction != "clear" {
		return fmt.Errorf("%q: the declare modal was answered HTTP %d %s", title, rep.Status, rep.Body)
	}
	return nil
}

// openView waits (3 s, a trigger's life) for the open modal with
// callbackID whose blocks mention text.
func openView(ctx context.Context, callbackID, text string) (string, error) {
	deadline := time.Now().Add(3 * time.Second)
	for {
		views := slackEmu.Views()
		for i := len(views) - 1; i >= 0; i-- {
			v := views[i]
			if v.Open && v.CallbackID == callbackID && strings.Contains(string(v.Blocks)+v.PrivateMetadata, text) {
				return v.ID, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return "", fmt.Errorf("no %s modal mentioning %q opened within 3 s", callbackID, text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// declareAll declares every title at once (each from its own goroutine)
// and returns the errors, one per title ("" when fine).
func declareAll(ctx context.Context, titles []string, sev incident.Severity) []error {
	errs := make([]error, len(titles))
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i, title := range titles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			errs[i] = declare(ctx, title, sev)
		}()
	}
	close(gate)
	wg.Wait()
	return errs
}

// room is what the Slack emulator shows of one incident's war room.
type room struct {
	Title    string
	ID       string // the incident's ID, from the channel's purpose
	Channels []slackemu.Channel
	Kickoffs int // kickoff posts in the war room
	Announce int // announcements in #incidents
	Acks     int // acknowledgements to the declarer
}

// Complete reports whether the war room is all there, once: one channel
// with its topic, purpose and pinned kickoff, announced once.
func (r room) Complete() bool {
	return len(r.Channels) == 1 && r.ID != "" && r.Kickoffs == 1 && r.Announce == 1 && r.Channels[0].Topic != ""
}

func (r room) String() string {
	return fmt.Sprintf("%q: %d channels, id %q, %d kickoffs, %d announcements, %d acks", r.Title, len(r.Channels), r.ID, r.Kickoffs, r.Announce, r.Acks)
}

// rooms reads the war rooms of titles from the emulator's state.
func rooms(titles []string) []room {
	channels := slackEmu.Channels()
	out := make([]room, len(titles))
	for i, title := range titles {
		r := room{Title: title}
		suffix := "-" + incident.Slug(title)
		for _, ch := range channels {
			if strings.HasSuffix(ch.Name, suffix) {
				r.Channels = append(r.Channels, ch)
			}
		}
		if len(r.Channels) == 1 {
			ch := r.Channels[0]
			if _, id, ok := strings.Cut(ch.Purpose, "incident "); ok {
				r.ID = strings.TrimSpace(id)
			}
			r.Kickoffs = len(posts(ch.ID, r.ID, "kickoff"))
			r.Announce = len(posts(slackemu.IncidentsChannelID, r.ID, activities.KeyAnnounce))
			r.Acks = len(posts(slackemu.IncidentsChannelID, r.ID, "ack"))
		}
		out[i] = r
	}
	return out
}

// posts returns the messages incidentflow posted in channel for incident
// id under a key starting with prefix.
func posts(channel, id, prefix string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range slackEmu.Messages(channel) {
		if md := m.Metadata; md != nil && md.EventType == activities.PostEventType && md.EventPayload["incident_id"] == id {
			if key, _ := md.EventPayload["key"].(string); strings.HasPrefix(key, prefix) {
				out = append(out, m)
			}
		}
	}
	return out
}

// awaitRooms waits until every title's war room is complete, or timeout
// passes, and returns them with the time the last one was seen complete.
func awaitRooms(t *testing.T, titles []string, timeout time.Duration) ([]room, time.Time) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		rs := rooms(titles)
		done := 0
		for _, r := range rs {
			if r.Complete() {
				done++
			}
		}
		if done == len(titles) {
			return rs, time.Now()
		}
		if time.Now().After(deadline) {
			for _, r := range rs {
				if !r.Complete() {
					t.Errorf("war room incomplete after %v: %s", timeout, r)
				}
			}
			t.FailNow()
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// assertOnce fails t for any war room doubled: a second channel, kickoff
// or announcement.
func assertOnce(t *testing.T, rs []room) {
	t.Helper()
	for _, r := range rs {
		if len(r.Channels) != 1 || r.Kickoffs != 1 || r.Announce != 1 {
			t.Errorf("not exactly once: %s", r)
		}
	}
}

// titles makes n titles "<prefix> 000", "<prefix> 001", ...
func titles(prefix string, n int) []string {
	rounds[prefix]++
	if r := rounds[prefix]; r > 1 { // go test -count: a round of its own
		prefix = fmt.Sprintf("%s (round %d)", prefix, r)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %03d", prefix, i)
	}
	return out
}

// rounds counts the calls of titles with each prefix, so that a scenario
// run again (go test -count=N) declares incidents of its own.
var rounds = map[string]int{}

// failedActivities counts the activity failures and timeouts in the
// history of incident id's workflow: retries a crash or a restart caused.
func failedActivities(ctx context.Context, id string) (failed, timedOut int, err error) {
	it := top.Client.GetWorkflowHistory(ctx, wfapi.IncidentWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return failed, timedOut, err
		}
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
			failed++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
			timedOut++
		}
	}
	return failed, timedOut, nil
}

// slashIn types /incident <text> in channel as user and returns the
// answer's text (the ephemeral reply), "" when a modal opened instead.
func slashIn(ctx context.Context, channel, user, text string) (string, error) {
	rep, err := slackEmu.SlashCommand(ctx, slackemu.SlashCommand{Text: text, UserID: user, ChannelID: channel})
	if err != nil {
		return "", err
	}
	if rep.Status != http.StatusOK {
		return "", fmt.Errorf("/incident %s answered HTTP %d %s", text, rep.Status, rep.Body)
	}
	if s, ok := rep.JSON["text"].(string); ok {
		return s, nil
	}
	return string(rep.Body), nil
}

// postUpdate posts a status update in the war room through the front
// doors: /incident update, then the update modal submitted.
func postUpdate(ctx context.Context, r room, text string) error {
	answer, err := slashIn(ctx, r.Channels[0].ID, slackemu.UserAlice, "update identified")
	if err != nil {
		return err
	}
	if answer != "" {
		return fmt.Errorf("/incident update answered %q instead of opening the form", answer)
	}
	view, err := openView(ctx, slackdoor.CallbackUpdate, r.Channels[0].ID)
	if err != nil {
		return err
	}
	rep, err := slackEmu.SubmitView(ctx, view, "", map[string]map[string]slack.BlockAction{
		slackdoor.FieldStatus: {slackdoor.FieldStatus: {SelectedOption: slack.OptionBlockObject{Value: string(incident.Identified)}}},
		slackdoor.FieldText:   {slackdoor.FieldText: {Value: text}},
	})
	if err != nil {
		return err
	}
	if rep.Status != http.StatusOK || rep.ResponseAction != "clear" {
		return fmt.Errorf("the update modal was answered HTTP %d %s", rep.Status, rep.Body)
	}
	return nil
}
