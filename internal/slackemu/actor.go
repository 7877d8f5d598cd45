package slackemu

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Transport is how the emulator delivers slash commands, interactions and
// Events API events to the app.
type Transport int

const (
	// HTTP posts signed requests to the front door (POST {base}/slack/commands,
	// {base}/slack/interactions and {base}/slack/events). It is the default.
	HTTP Transport = iota
	// Socket sends Socket Mode envelopes over the app's WebSocket connection and
	// waits for the ack.
	Socket
)

// String names the transport.
func (t Transport) String() string {
	if t == Socket {
		return "socket"
	}
	return "http"
}

// ErrNoFrontDoor is returned when HTTP delivery is used before SetFrontDoor.
var ErrNoFrontDoor = errors.New("slackemu: no front door set (SetFrontDoor)")

// frontDoor is where HTTP deliveries go.
type frontDoor struct {
	base, secret string
}

// SetFrontDoor sets the base URL of the app's HTTP front door (e.g.
// "http://127.0.0.1:3000") and the signing secret used to sign requests to it.
func (s *Server) SetFrontDoor(baseURL, signingSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.front = frontDoor{base: strings.TrimRight(baseURL, "/"), secret: signingSecret}
}

// SetTransport chooses how slash commands, interactions and events are delivered.
func (s *Server) SetTransport(t Transport) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.transport = t
}

// Sign signs a request body the way Slack does and returns the values of the
// X-Slack-Request-Timestamp and X-Slack-Signature headers:
// "v0=" + hex(HMAC-SHA256(secret, "v0:" + unix(ts) + ":" + body)).
func Sign(secret string, ts time.Time, body []byte) (tsHeader, sigHeader string) {
	tsHeader = strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + tsHeader + ":"))
	mac.Write(body)
	return tsHeader, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// Reply is the app's answer to a delivered command or interaction: the HTTP
// response of the front door, or the payload of the Socket Mode ack.
type Reply struct {
	Status         int               // HTTP status (200 for a Socket Mode ack)
	Body           []byte            // response body, or the ack payload
	JSON           map[string]any    // Body parsed, when it is a JSON object
	ResponseAction string            // view submissions: "", "clear", "update", "push", "errors"
	Errors         map[string]string // view submissions with response_action "errors"
	Elapsed        time.Duration     // time the app took to answer
	Late           bool              // true when the app took longer than Slack's 3 s
	TriggerID      string            // trigger_id minted for this delivery
	ResponseURL    string            // response_url of this delivery, if any
	EnvelopeID     string            // Socket Mode envelope ID, if any
}

// parse fills JSON, ResponseAction, Errors and Late from Body and Elapsed.
func (r *Reply) parse() {
	r.Late = r.Elapsed > 3*time.Second
	b := bytes.TrimSpace(r.Body)
	if len(b) == 0 || b[0] != '{' {
		return
	}
	if json.Unmarshal(b, &r.JSON) != nil {
		return
	}
	r.ResponseAction, _ = r.JSON["response_action"].(string)
	if errs, ok := r.JSON["errors"].(map[string]any); ok {
		r.Errors = map[string]string{}
		for k, v := range errs {
			r.Errors[k] = fmt.Sprint(v)
		}
	}
}

// SlashCommand is a slash command typed by a user. Empty fields default to
// "/incident", U0ALICE and #incidents.
type SlashCommand struct {
	Command   string
	Text      string
	UserID    string
	ChannelID string
}

// SlashCommand delivers a slash command to the app, with a fresh trigger_id and
// a response_url on the emulator. An immediate JSON or text answer is shown as
// Slack would: ephemeral to the user, or in the channel with "in_channel".
func (s *Server) SlashCommand(ctx context.Context, cmd SlashCommand) (*Reply, error) {
	if cmd.Command == "" {
		cmd.Command = "/incident"
	}
	if cmd.UserID == "" {
		cmd.UserID = UserAlice
	}
	if cmd.ChannelID == "" {
		cmd.ChannelID = IncidentsChannelID
	}
	s.mu.Lock()
	u := s.st.usersByID[cmd.UserID]
	if u == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("slackemu: unknown user %q", cmd.UserID)
	}
	chName := ""
	if ch := s.st.chByID[cmd.ChannelID]; ch != nil {
		chName = ch.name
		if ch.im {
			chName = "directmessage"
		}
	}
	trig := s.mintTriggerLocked(cmd.UserID, "")
	respURL := s.newResponseURLLocked(cmd.ChannelID, cmd.UserID, "")
	transport := s.transport
	s.mu.Unlock()

	sc := slack.SlashCommand{Token: VerificationToken, TeamID: TeamID, TeamDomain: TeamDomain,
		ChannelID: cmd.ChannelID, ChannelName: chName, UserID: cmd.UserID, UserName: u.Name,
		Command: cmd.Command, Text: cmd.Text, ResponseURL: respURL, TriggerID: trig, APIAppID: AppID}
	var rep *Reply
	var err error
	if transport == Socket {
		rep, err = s.deliverEnvelope(ctx, "slash_commands", sc, true)
	} else {
		form := url.Values{"token": {sc.Token}, "team_id": {sc.TeamID}, "team_domain": {sc.TeamDomain},
			"channel_id": {sc.ChannelID}, "channel_name": {sc.ChannelName}, "user_id": {sc.UserID},
			"user_name": {sc.UserName}, "command": {sc.Command}, "text": {sc.Text},
			"api_app_id": {sc.APIAppID}, "is_enterprise_install": {"false"},
			"response_url": {sc.ResponseURL}, "trigger_id": {sc.TriggerID}}
		rep, err = s.postFrontDoor(ctx, "/slack/commands", form)
	}
	if err != nil {
		return nil, err
	}
	rep.TriggerID, rep.ResponseURL = trig, respURL
	if rep.Status == http.StatusOK {
		if err := s.showCommandAnswer(cmd, rep); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// showCommandAnswer applies an immediate answer to a slash command.
func (s *Server) showCommandAnswer(cmd SlashCommand, rep *Reply) error {
	body := bytes.TrimSpace(rep.Body)
	if len(body) == 0 {
		return nil
	}
	msg := responseMessage{Text: string(body)}
	if body[0] == '{' {
		msg = responseMessage{}
		if json.Unmarshal(body, &msg) != nil || (msg.Text == "" && len(msg.Blocks) == 0) {
			return nil
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyResponseLocked(&responseURL{channel: cmd.ChannelID, user: cmd.UserID}, msg, "command_response")
	return s.commitLocked()
}

// postFrontDoor posts a signed form to the front door.
func (s *Server) postFrontDoor(ctx context.Context, path string, form url.Values) (*Reply, error) {
	return s.postSigned(ctx, path, "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
}

// postSigned posts a body signed like Slack's to the front door, with the
// extra headers given (may be nil).
func (s *Server) postSigned(ctx context.Context, path, contentType string, body []byte, header http.Header) (*Reply, error) {
	s.mu.Lock()
	fd := s.front
	s.mu.Unlock()
	if fd.base == "" {
		return nil, ErrNoFrontDoor
	}
	// Signed with the wall clock: receivers check it against their own clock.
	tsH, sigH := Sign(fd.secret, time.Now(), body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fd.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", tsH)
	req.Header.Set("X-Slack-Signature", sigH)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	rep := &Reply{Status: resp.StatusCode, Body: b, Elapsed: time.Since(start)}
	rep.parse()
	return rep, nil
}

// deliverInteraction sends an interaction payload over the chosen transport.
func (s *Server) deliverInteraction(ctx context.Context, ic *slack.InteractionCallback, acceptsResponse bool) (*Reply, error) {
	s.mu.Lock()
	transport := s.transport
	s.mu.Unlock()
	var rep *Reply
	var err error
	if transport == Socket {
		rep, err = s.deliverEnvelope(ctx, "interactive", ic, acceptsResponse)
	} else {
		var payload []byte
		if payload, err = json.Marshal(ic); err != nil {
			return nil, err
		}
		rep, err = s.postFrontDoor(ctx, "/slack/interactions", url.Values{"payload": {string(payload)}})
	}
	if err != nil {
		return nil, err
	}
	rep.TriggerID, rep.ResponseURL = ic.TriggerID, ic.ResponseURL
	return rep, nil
}

// baseCallback fills the fields every interaction payload has. An empty userID
// means U0ALICE.
func (s *Server) baseCallback(typ slack.InteractionType, userID, viewRoot, channelID, messageTS string, withResponseURL bool) (*slack.InteractionCallback, error) {
	if userID == "" {
		userID = UserAlice
	}
	u := s.st.usersByID[userID]
	if u == nil {
		return nil, fmt.Errorf("slackemu: unknown user %q", userID)
	}
	ic := &slack.InteractionCallback{Type: typ, Token: VerificationToken, APIAppID: AppID,
		Team:     slack.Team{ID: TeamID, Domain: TeamDomain, Name: TeamName},
		User:     slack.User{ID: u.ID, Name: u.Name, TeamID: TeamID},
		ActionTs: s.st.nextTS(s.now())}
	ic.TriggerID = s.mintTriggerLocked(userID, viewRoot)
	if withResponseURL {
		ic.ResponseURL = s.newResponseURLLocked(channelID, userID, messageTS)
	}
	return ic, nil
}

// messageForCallback converts a stored message for a payload.
func (s *Server) messageForCallback(channelID, ts string) (*channel, *Message, slack.Message, error) {
	ch := s.st.chByID[channelID]
	if ch == nil {
		return nil, nil, slack.Message{}, fmt.Errorf("slackemu: unknown channel %q", channelID)
	}
	m := ch.byTS[ts]
	if m == nil {
		return nil, nil, slack.Message{}, fmt.Errorf("slackemu: no message %s in %s", ts, channelID)
	}
	var sm slack.Message
	if err := convertJSON(s.messageJSON(m, true), &sm); err != nil {
		return nil, nil, slack.Message{}, err
	}
	return ch, m, sm, nil
}

// ClickButton delivers a block_actions interaction: userID clicks the element
// with actionID in the stored message (channelID, messageTS). The payload's
// message and container come from the stored message; value overrides the
// element's value when not empty. An empty userID means U0ALICE.
func (s *Server) ClickButton(ctx context.Context, channelID, messageTS, actionID, value, userID string) (*Reply, error) {
	s.mu.Lock()
	ch, m, sm, err := s.messageForCallback(channelID, messageTS)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	el, blockID, ok := findElement(m.Blocks, actionID)
	if !ok {
		s.mu.Unlock()
		return nil, fmt.Errorf("slackemu: no element with action_id %q in message %s", actionID, messageTS)
	}
	ic, err := s.baseCallback(slack.InteractionTypeBlockActions, userID, "", channelID, messageTS, true)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	s.mu.Unlock()
	ba := &slack.BlockAction{ActionID: actionID, BlockID: blockID, Type: slack.ActionType(el.Type),
		Value: el.Value, ActionTs: ic.ActionTs}
	if el.Text != nil {
		ba.Text = *el.Text
	}
	if value != "" {
		ba.Value = value
	}
	ic.Channel = slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: ch.id}, Name: ch.name}}
	ic.Message = sm
	ic.Container = slack.Container{Type: "message", MessageTs: messageTS, ChannelID: channelID, ThreadTs: threadOf(m)}
	ic.ActionCallback = slack.ActionCallbacks{BlockActions: []*slack.BlockAction{ba}}
	ic.BlockActionState = &slack.BlockActionStates{Values: map[string]map[string]slack.BlockAction{}}
	return s.deliverInteraction(ctx, ic, false)
}

// threadOf returns the thread of a reply, "" otherwise.
func threadOf(m *Message) string {
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		return m.ThreadTS
	}
	return ""
}

// MessageShortcut delivers a message_action interaction (a message shortcut
// with callbackID, used on the stored message by userID; empty means U0ALICE).
func (s *Server) MessageShortcut(ctx context.Context, callbackID, channelID, messageTS, userID string) (*Reply, error) {
	s.mu.Lock()
	ch, _, sm, err := s.messageForCallback(channelID, messageTS)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	ic, err := s.baseCallback(slack.InteractionTypeMessageAction, userID, "", channelID, messageTS, true)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	ic.CallbackID = callbackID
	ic.Channel = slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: ch.id}, Name: ch.name}}
	ic.Message = sm
	ic.MessageTs = messageTS
	return s.deliverInteraction(ctx, ic, false)
}

// Shortcut delivers a global shortcut (type "shortcut") with callbackID by userID
// (empty means U0ALICE).
func (s *Server) Shortcut(ctx context.Context, callbackID, userID string) (*Reply, error) {
	s.mu.Lock()
	ic, err := s.baseCallback(slack.InteractionTypeShortcut, userID, "", "", "", false)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	ic.CallbackID = callbackID
	return s.deliverInteraction(ctx, ic, false)
}

// SubmitView delivers a view_submission of the open modal viewID by userID
// (empty: the user the view was opened for, else U0ALICE) with the given input values
// (block_id → action_id → value). The app's answer is applied as Slack would:
// an empty answer or "clear" closes the view(s), "update" replaces it, "push"
// pushes a new one, "errors" keeps it open.
func (s *Server) SubmitView(ctx context.Context, viewID, userID string, values map[string]map[string]slack.BlockAction) (*Reply, error) {
	s.mu.Lock()
	v := s.st.viewByID[viewID]
	if v == nil || v.Type != "modal" || !v.Open {
		s.mu.Unlock()
		return nil, fmt.Errorf("slackemu: no open modal %q", viewID)
	}
	if userID == "" {
		userID = v.UserID
	}
	if values == nil {
		values = map[string]map[string]slack.BlockAction{}
	}
	v.State = slack.ViewState{Values: values}
	s.st.changedView(v)
	if err := s.commitLocked(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	var sv slack.View
	if err := convertJSON(viewJSON(v), &sv); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	sv.State = &slack.ViewState{Values: values}
	ic, err := s.baseCallback(slack.InteractionTypeViewSubmission, userID, v.RootViewID, "", "", false)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	ic.View = sv
	ic.ViewSubmissionCallback.Hash = sv.Hash
	rep, err := s.deliverInteraction(ctx, ic, true)
	if err != nil {
		return nil, err
	}
	if rep.Status == http.StatusOK {
		if err := s.applyViewAnswer(viewID, rep); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// applyViewAnswer applies the app's answer to a view submission.
func (s *Server) applyViewAnswer(viewID string, rep *Reply) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.st.viewByID[viewID]
	if v == nil {
		return nil
	}
	newView := func() *viewRequest {
		raw, ok := rep.JSON["view"]
		if !ok {
			return nil
		}
		b, _ := json.Marshal(raw)
		req, err := parseView(b, "modal")
		if err != nil {
			return nil
		}
		return req
	}
	switch rep.ResponseAction {
	case "errors":
	case "update":
		if req := newView(); req != nil {
			applyView(v, req)
			v.Updated = s.now()
			v.Hash = s.newHash(v.Updated)
		}
	case "push":
		if req := newView(); req != nil {
			if nv, err := s.newView(req, v.UserID); err == nil {
				nv.RootViewID, nv.PreviousViewID = v.RootViewID, v.ID
			}
		}
	case "clear":
		for _, x := range s.st.views {
			if x.RootViewID == v.RootViewID {
				x.Open = false
				s.st.changedView(x)
			}
		}
	default:
		v.Open = false
	}
	s.st.changedView(v)
	return s.commitLocked()
}

// element is the part of a block element the emulator reads.
type element struct {
	Type     string                 `json:"type"`
	ActionID string                 `json:"action_id"`
	Value    string                 `json:"value"`
	Text     *slack.TextBlockObject `json:"text"`
}

// findElement finds the element with actionID in blocks (actions and context
// elements, section accessories, input elements) and returns it with its block_id.
func findElement(blocks json.RawMessage, actionID string) (element, string, bool) {
	var bs []map[string]json.RawMessage
	if json.Unmarshal(blocks, &bs) != nil {
		return element{}, "", false
	}
	for _, b := range bs {
		var blockID string
		_ = json.Unmarshal(b["block_id"], &blockID)
		var cands []json.RawMessage
		_ = json.Unmarshal(b["elements"], &cands)
		for _, k := range []string{"accessory", "element"} {
			if raw, ok := b[k]; ok {
				cands = append(cands, raw)
			}
		}
		for _, raw := range cands {
			var e element
			_ = json.Unmarshal(raw, &e) // partial decoding is enough
			if e.ActionID == actionID {
				return e, blockID, true
			}
		}
	}
	return element{}, "", false
}

// convertJSON converts src to dst through JSON.
func convertJSON(src, dst any) error {
	b, err := json.Marshal(src)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}
