package slackemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// viewRequest is the view argument of the views methods.
type viewRequest struct {
	Type            string          `json:"type"`
	Title           json.RawMessage `json:"title"`
	Submit          json.RawMessage `json:"submit"`
	Close           json.RawMessage `json:"close"`
	Blocks          json.RawMessage `json:"blocks"`
	PrivateMetadata string          `json:"private_metadata"`
	CallbackID      string          `json:"callback_id"`
	ClearOnClose    bool            `json:"clear_on_close"`
	NotifyOnClose   bool            `json:"notify_on_close"`
	ExternalID      string          `json:"external_id"`
}

// triggerFormat is the shape of a trigger_id ("132456.7890123.abcdef").
var triggerFormat = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9a-f]+$`)

// parseView validates the view argument. wantType is "modal" or "home".
func parseView(raw json.RawMessage, wantType string) (*viewRequest, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errMessages("invalid_arguments", "missing required field: view")
	}
	if len(raw) > maxViewBytes {
		return nil, errCode("view_too_large")
	}
	var v viewRequest
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, errMessages("invalid_arguments", "view must be a JSON object")
	}
	if v.Type != wantType {
		return nil, errMessages("invalid_arguments", fmt.Sprintf("view type must be %q [json-pointer:/view/type]", wantType))
	}
	var count []json.RawMessage
	if len(v.Blocks) > 0 && json.Unmarshal(v.Blocks, &count) == nil && len(count) > maxViewBlocks {
		return nil, errCode("view_too_large")
	}
	blocks, _, err := parseBlocks(v.Blocks, maxViewBlocks)
	if err != nil {
		var msgs any = []string{"invalid blocks [json-pointer:/view/blocks]"}
		if ae, ok := err.(*apiError); ok {
			if rm, ok := ae.extra["response_metadata"].(obj); ok {
				msgs = rm["messages"]
			}
		}
		return nil, errWith("invalid_arguments", obj{"response_metadata": obj{"messages": msgs}})
	}
	if blocks == nil {
		blocks = json.RawMessage("[]")
	}
	v.Blocks = blocks
	if wantType == "modal" {
		if len(v.Title) == 0 {
			return nil, errMessages("invalid_arguments", "missing required field: title [json-pointer:/view/title]")
		}
		if msg := checkText(v.Title, true); msg != "" {
			return nil, errMessages("invalid_arguments", "title: "+msg+" [json-pointer:/view/title]")
		}
		var t struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal(v.Title, &t)
		if utf8.RuneCountInString(t.Text) > maxViewTitle {
			return nil, errMessages("invalid_arguments", "must be less than 25 characters [json-pointer:/view/title/text]")
		}
		if hasInputBlock(v.Blocks) && len(v.Submit) == 0 {
			return nil, errMessages("invalid_arguments", "must provide a submit property when using input blocks [json-pointer:/view]")
		}
	}
	if utf8.RuneCountInString(v.PrivateMetadata) > maxPrivateMeta {
		return nil, errMessages("invalid_arguments", "must be less than 3001 characters [json-pointer:/view/private_metadata]")
	}
	if len(v.CallbackID) > maxCallbackID {
		return nil, errMessages("invalid_arguments", "must be less than 256 characters [json-pointer:/view/callback_id]")
	}
	return &v, nil
}

// hasInputBlock reports whether blocks holds an input block.
func hasInputBlock(blocks json.RawMessage) bool {
	var bs []struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(blocks, &bs)
	for _, b := range bs {
		if b.Type == "input" {
			return true
		}
	}
	return false
}

// mintTriggerLocked creates a trigger_id for user (s.mu held).
func (s *Server) mintTriggerLocked(user, viewRoot string) string {
	s.st.seq++
	now := s.now()
	id := fmt.Sprintf("%d.%d.%x", now.Unix(), s.st.seq, randomHex(12))
	s.st.triggers[id] = &trigger{id: id, user: user, created: now, viewRoot: viewRoot}
	return id
}

// MintTriggerID returns a fresh trigger_id, valid once within 3 seconds of the
// emulator's clock. The emulator also mints one for each command and
// interaction it sends to the front door.
func (s *Server) MintTriggerID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mintTriggerLocked("", "")
}

// consumeTrigger exchanges a trigger_id, applying Slack's rules.
func (s *Server) consumeTrigger(id string) (*trigger, error) {
	if id == "" {
		return nil, errMessages("invalid_arguments", "missing required field: trigger_id")
	}
	t := s.st.triggers[id]
	if t == nil || !triggerFormat.MatchString(id) {
		return nil, errCode("invalid_trigger_id")
	}
	if t.used {
		return nil, errCode("exchanged_trigger_id")
	}
	if s.now().Sub(t.created) > triggerLifetimeS*time.Second {
		return nil, errCode("expired_trigger_id")
	}
	t.used = true
	return t, nil
}

// newView stores a view built from req.
func (s *Server) newView(req *viewRequest, user string) (*View, error) {
	if req.ExternalID != "" {
		for _, v := range s.st.views {
			if v.ExternalID == req.ExternalID {
				return nil, errCode("duplicate_external_id")
			}
		}
	}
	now := s.now()
	v := &View{ID: s.st.newID("V"), UserID: user, Created: now, Open: true,
		State: slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}}
	applyView(v, req)
	v.Hash = s.newHash(now)
	s.st.putView(v)
	s.st.changedView(v)
	return v, nil
}

// applyView copies the content of req into v.
func applyView(v *View, req *viewRequest) {
	v.Type, v.Title, v.Submit, v.Close, v.Blocks = req.Type, req.Title, req.Submit, req.Close, req.Blocks
	v.PrivateMetadata, v.CallbackID, v.ExternalID = req.PrivateMetadata, req.CallbackID, req.ExternalID
	v.ClearOnClose, v.NotifyOnClose = req.ClearOnClose, req.NotifyOnClose
}

// newHash returns a fresh view hash.
func (s *Server) newHash(now time.Time) string {
	s.st.seq++
	return fmt.Sprintf("%d.%08x", now.Unix(), uint32(s.st.seq)*2654435761)
}

// viewsOpen is views.open: a modal at the root of a new stack.
func viewsOpen(s *Server, rq *apiRequest) (obj, error) { return openModal(s, rq, false) }

// viewsPush is views.push: onto the stack of the modal the trigger came from
// (at most 3 views in a stack).
func viewsPush(s *Server, rq *apiRequest) (obj, error) { return openModal(s, rq, true) }

// openModal opens the modal of views.open, or of views.push when push is
// set.
func openModal(s *Server, rq *apiRequest, push bool) (obj, error) {
	req, err := parseView(rq.p.jsonArg("view"), "modal")
	if err != nil {
		return nil, err
	}
	t, err := s.consumeTrigger(rq.p.str("trigger_id"))
	if err != nil {
		return nil, err
	}
	root, top := "", ""
	if push {
		root = t.viewRoot
		depth := 0
		for _, v := range s.st.views {
			if root != "" && v.RootViewID == root && v.Open {
				depth++
				top = v.ID
			}
		}
		if depth >= maxPushedViews {
			return nil, errCode("push_limit_reached")
		}
	}
	v, err := s.newView(req, t.user)
	if err != nil {
		return nil, err
	}
	v.RootViewID, v.PreviousViewID = root, top
	if root == "" {
		v.RootViewID = v.ID
	}
	return obj{"view": viewJSON(v)}, nil
}

// viewsUpdate is views.update (by view_id or external_id, optional hash).
func viewsUpdate(s *Server, rq *apiRequest) (obj, error) {
	req, err := parseView(rq.p.jsonArg("view"), "modal")
	if err != nil {
		return nil, err
	}
	var v *View
	if id := rq.p.str("view_id"); id != "" {
		v = s.st.viewByID[id]
	} else if ext := rq.p.str("external_id"); ext != "" {
		for _, x := range s.st.views {
			if x.ExternalID == ext {
				v = x
			}
		}
	} else {
		return nil, errMessages("invalid_arguments", "view_id or external_id is required")
	}
	if v == nil || v.Type != "modal" {
		return nil, errCode("not_found")
	}
	if h := rq.p.str("hash"); h != "" && h != v.Hash {
		return nil, errCode("hash_conflict")
	}
	if req.ExternalID == "" {
		req.ExternalID = v.ExternalID
	}
	applyView(v, req)
	v.Updated = s.now()
	v.Hash = s.newHash(v.Updated)
	s.st.changedView(v)
	return obj{"view": viewJSON(v)}, nil
}

// viewsPublish is views.publish: the App Home of a user.
func viewsPublish(s *Server, rq *apiRequest) (obj, error) {
	user := rq.p.str("user_id")
	if s.st.usersByID[user] == nil {
		return nil, errCode("user_not_found")
	}
	req, err := parseView(rq.p.jsonArg("view"), "home")
	if err != nil {
		return nil, err
	}
	for _, v := range s.st.views {
		if v.Type == "home" && v.UserID == user {
			if h := rq.p.str("hash"); h != "" && h != v.Hash {
				return nil, errCode("hash_conflict")
			}
			applyView(v, req)
			v.Updated = s.now()
			v.Hash = s.newHash(v.Updated)
			s.st.changedView(v)
			return obj{"view": viewJSON(v)}, nil
		}
	}
	v, err := s.newView(req, user)
	if err != nil {
		return nil, err
	}
	return obj{"view": viewJSON(v)}, nil
}
