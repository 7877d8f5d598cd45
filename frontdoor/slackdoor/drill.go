package slackdoor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
)

// CallbackDrill is the callback ID of the form that starts a drill.
const CallbackDrill = "drill_start"

// Field IDs of the drill form (block_id and action_id alike).
const (
	FieldDrillScenario     = "drill_scenario"     // static select of the scenarios
	FieldDrillParticipants = "drill_participants" // multi users select, optional
	FieldDrillCommander    = "drill_commander"    // users select, defaults to the caller
	FieldDrillSpeed        = "drill_speed"        // static select of drillSpeeds
)

// drillsOff answers /incident drill and hint when the door has no drills.
const drillsOff = "Drills aren't set up on this incidentflow."

// maxScenarioOptions is Slack's bound on a static select's options.
const maxScenarioOptions = 100

// drillRoomWait bounds how long the door waits, after the form closed,
// for the drill room to open before telling the submitter.
const drillRoomWait = 30 * time.Second

// drillSpeed is a speed the form offers.
type drillSpeed struct {
	value string
	speed float64
	text  string
}

// drillSpeeds are the speeds the form offers; a submission naming another
// is refused.
var drillSpeeds = []drillSpeed{
	{"1", 1, "1× — real time"},
	{"2", 2, "2× — twice as fast"},
	{"4", 4, "4× — an hour's scenario in 15 minutes (a lunchtime drill)"},
	{"8", 8, "8× — an hour's scenario in under 8 minutes"},
}

// drillCommand answers `/incident drill [scenario]`: it opens the form
// that starts a drill, on the scenario typed when it names one.
func (f *FrontDoor) drillCommand(ctx context.Context, sc slack.SlashCommand, cmd Command) *ephemeral {
	if f.drills == nil {
		return say("%s", drillsOff)
	}
	if err := f.permitDeclare(sc.UserID); err != nil {
		return say("%s", f.failure(err, "no drill was started"))
	}
	list := f.drills.List()
	if len(list) == 0 {
		return say("No drill scenarios are set up on this incidentflow: add scenario files to drills.scenarios_dir.")
	}
	if cmd.Arg != "" {
		if _, ok := drill.Find(list, cmd.Arg); !ok {
			return say("There's no drill scenario “%s”. The scenarios are %s. Type `/incident drill [scenario]`, or `/incident drill` to pick one in the form.",
				incident.Escape(incident.Truncate(cmd.Arg, 40)), scenarioNames(list))
		}
	}
	return f.openModal(ctx, sc, f.drillView(viewMeta{Channel: sc.ChannelID}, list, cmd.Arg, sc.UserID), "drill form")
}

// scenarioNames lists the names of list for a message: `a`, `b` and `c`.
func scenarioNames(list []drill.Scenario) string {
	names := drill.Names(list)
	for i, n := range names {
		names[i] = "`" + incident.Escape(n) + "`"
	}
	if len(names) > 1 {
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	return strings.Join(names, "")
}

// drillView is the form that starts a drill: the scenario (scenario
// preselected when it names one), the participants, who plays commander
// (user at first), the speed, and what a drill is safe from.
func (f *FrontDoor) drillView(meta viewMeta, list []drill.Scenario, scenario, user string) slack.ModalViewRequest {
	if len(list) > maxScenarioOptions {
		list = list[:maxScenarioOptions]
	}
	opts := make([]*slack.OptionBlockObject, 0, len(list))
	for _, s := range list {
		opts = append(opts, option(s.Name, s.Name+" — "+s.Title))
	}
	speeds := make([]*slack.OptionBlockObject, 0, len(drillSpeeds))
	for _, s := range drillSpeeds {
		speeds = append(speeds, option(s.value, s.text))
	}
	people := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("Pick people"), FieldDrillParticipants)
	people.WithMaxSelectedItems(drill.MaxParticipants)
	participants := slack.NewInputBlock(FieldDrillParticipants, plain("Participants"), plain("Invited to the drill room"), people)
	participants.Optional = true
	meta.Nonce = newNonce()
	return modal(CallbackDrill, "Start a drill", "Start drill", meta,
		staticSelect(FieldDrillScenario, "Scenario", "Which incident to rehearse?", opts, scenario, false),
		participants,
		usersSelect(FieldDrillCommander, "Who plays commander", user, true),
		staticSelect(FieldDrillSpeed, "Speed", "How fast the scenario plays", speeds, drillSpeeds[0].value, false),
		slack.NewContextBlock("drill_safety", mrkdwn(":performing_arts: A drill is a rehearsal, safe by design: it runs in its own `drill-…` room, "+
			"every message it posts starts with DRILL, no one is paged, and nothing goes on the status page or to the announce channels.")),
	)
}

// drillKey is the key of the drill a submitted drill form starts: its view
// ID (with the form's nonce), the same for every delivery of the same form,
// so a double submit starts one drill.
func drillKey(v slack.View) string {
	if v.ID == "" {
		return ""
	}
	key := v.ID
	if n := decodeMeta(v.PrivateMetadata).Nonce; n != "" {
		key += "/" + n
	}
	return key
}

// drillRequest reads and checks the drill form; its errors are the inputs
// that don't hold what the form offered.
func (f *FrontDoor) drillRequest(ctx context.Context, s filledForm, list []drill.Scenario) (starter.DrillRequest, fieldErrors) {
	fv, errs := s.fv, fieldErrors{}
	req := starter.DrillRequest{
		Scenario:      s.fv.selected(FieldDrillScenario),
		Commander:     fv.user(FieldDrillCommander),
		By:            s.user,
		OriginChannel: s.meta.Channel,
		Key:           drillKey(s.cb.View),
	}
	if _, ok := drill.Find(list, req.Scenario); !ok || req.Scenario == "" {
		errs.add(FieldDrillScenario, "Pick a scenario from the list: %s.", strings.Join(drill.Names(list), ", "))
	}
	seen := map[string]bool{}
	for _, u := range fv.get(FieldDrillParticipants).SelectedUsers {
		if !incident.IsUserID(u) {
			errs.add(FieldDrillParticipants, "Pick the participants from Slack's list.")
			continue
		}
		if !seen[u] {
			seen[u] = true
			req.Participants = append(req.Participants, u)
		}
	}
	if len(req.Participants) > drill.MaxParticipants {
		errs.add(FieldDrillParticipants, "A drill takes at most %d participants.", drill.MaxParticipants)
	}
	switch {
	case req.Commander == "":
		req.Commander = s.user
	case !incident.IsUserID(req.Commander):
		errs.add(FieldDrillCommander, "Pick who plays commander from Slack's list.")
	case req.Commander != s.user:
		if msg := f.checkUser(ctx, req.Commander); msg != "" {
			errs.add(FieldDrillCommander, "%s", msg)
		}
	}
	speed, ok := offeredSpeed(fv.selected(FieldDrillSpeed))
	if !ok {
		errs.add(FieldDrillSpeed, "Pick a speed from the list: 1×, 2×, 4× or 8×.")
	}
	req.Speed = speed
	return req, errs
}

// offeredSpeed is the speed of a form's speed value, if the form offers it.
func offeredSpeed(value string) (float64, bool) {
	for _, s := range drillSpeeds {
		if s.value == value {
			return s.speed, drill.CheckSpeed(s.speed) == nil
		}
	}
	return 0, false
}

// submitDrill starts the drill of a submitted drill form. The drill's key
// is the form's, so a double submit or a retried delivery starts one drill.
// The modal closes once the drill is under way; the submitter hears when
// its room is open.
func (f *FrontDoor) submitDrill(ctx context.Context, s filledForm) *slack.ViewSubmissionResponse {
	if f.drills == nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{FieldDrillScenario: drillsOff})
	}
	req, errs := f.drillRequest(ctx, s, f.drills.List())
	if r := errs.response(); r != nil {
		return r // nothing is sent to Temporal
	}
	if err := f.permitDeclare(req.By); err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{FieldDrillScenario: modalError(f.failure(err, "NO drill was started"))})
	}
	to := s.to
	start := func(tctx context.Context) error {
		_, err := f.drills.Start(tctx, req, false)
		if err == nil || errors.Is(err, starter.ErrPending) {
			f.log.Info("drill started", "scenario", req.Scenario, "key", req.Key, "user", req.By)
			f.tellWhenDrillRoomOpens(req, to)
		}
		return err
	}
	err, answered := f.await(ctx, start, func(err error) {
		if err == nil || errors.Is(err, starter.ErrPending) {
			return
		}
		f.log.Warn("starting a drill failed after the modal closed", "scenario", req.Scenario, "err", err)
		f.tell(to, f.failureWithin(err, "NO drill was started", f.submitTO))
	})
	if !answered || err == nil || errors.Is(err, starter.ErrPending) {
		return slack.NewClearViewSubmissionResponse()
	}
	f.log.Warn("starting a drill failed", "scenario", req.Scenario, "err", err)
	return slack.NewErrorsViewSubmissionResponse(map[string]string{FieldDrillScenario: modalError(f.failure(err, "NO drill was started"))})
}

// tellWhenDrillRoomOpens waits in the background for the room of the
// drill req started (Start again with the same key and wait joins the same
// drill) and tells to where it is, or why it didn't open. Each drill is
// told once, however often its form was delivered.
func (f *FrontDoor) tellWhenDrillRoomOpens(req starter.DrillRequest, to recipient) {
	if req.Key != "" && !f.drillsTold.add(req.Key, struct{}{}, f.now(), time.Hour) {
		return
	}
	f.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), drillRoomWait)
		defer cancel()
		res, err := f.drills.Start(ctx, req, true)
		switch {
		case err == nil:
			f.tell(to, drillStartedText(res, req))
		case isTimeout(err) || errors.Is(err, starter.ErrPending):
			f.tell(to, fmt.Sprintf(":performing_arts: The drill `%s` is starting, but its room wasn't open after %s. Look for a `drill-…` channel in a minute; if none shows up, tell your incidentflow operator.",
				incident.Escape(req.Scenario), roundSeconds(drillRoomWait)))
		default:
			f.log.Warn("the drill room didn't open", "scenario", req.Scenario, "err", err)
			f.tell(to, f.failureWithin(err, "the drill room did NOT open", drillRoomWait))
		}
	})
}

// drillStartedText tells the submitter the drill is on and where.
func drillStartedText(res starter.DrillStarted, req starter.DrillRequest) string {
	where := "its room opens in a moment"
	switch {
	case incident.IsChannelRef(res.ChannelID):
		where = "<#" + res.ChannelID + ">"
	case res.Channel != "":
		where = "#" + incident.Escape(strings.TrimPrefix(res.Channel, "#"))
	}
	name := res.Scenario
	if name == "" {
		name = req.Scenario
	}
	speed := ""
	if s := drill.NormalSpeed(req.Speed); s != 1 {
		speed = " at " + strconv.FormatFloat(s, 'f', -1, 64) + "×"
	}
	return fmt.Sprintf(":performing_arts: Drill started: %s — scenario `%s`%s, with %s playing commander. No one is paged and nothing goes public; `/incident hint` in the room gives the next hint.",
		where, incident.Escape(name), speed, incident.Mention(req.Commander))
}

// hintCommand answers `/incident hint` in the war room of incident id:
// the drill posts its next hint there; the caller hears which it was, or
// why there is none.
func (f *FrontDoor) hintCommand(ctx context.Context, id, user string) *ephemeral {
	out, err := f.drills.Hint(ctx, id, user)
	switch {
	case err == nil:
		return say("Hint %d of %d posted in the drill room.", out.N, out.Of)
	case errors.Is(err, starter.ErrPending):
		return say("The drill took your request; the hint shows in the drill room in a moment.")
	}
	f.log.Info("no hint", "incident", id, "err", err)
	var refused *temporal.ApplicationError
	if _, isRefusal := refusalOf(err); !isRefusal && errors.As(err, &refused) {
		// The drill's own sentence: not a drill, no hints left, over.
		return say("%s.", capitalize(strings.TrimSuffix(escapeRefusal(refused.Message()), ".")))
	}
	return say("%s", f.failure(err, "no hint was given"))
}
