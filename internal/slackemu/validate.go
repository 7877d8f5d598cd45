package slackemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Limits Slack enforces that the emulator checks.
const (
	maxChannelName    = 80
	maxTopic          = 250
	maxPurpose        = 250
	maxMessageText    = 40000
	maxMessageBlocks  = 50
	maxViewBlocks     = 100
	maxViewBytes      = 250 * 1024
	maxPrivateMeta    = 3000
	maxCallbackID     = 255
	maxViewTitle      = 24
	maxPushedViews    = 3
	maxPins           = 100
	triggerLifetimeS  = 3
	responseURLMaxUse = 5
)

// validateChannelName applies Slack's channel-name rules.
func validateChannelName(name string) error {
	if name == "" {
		return errCode("invalid_name_required")
	}
	if utf8.RuneCountInString(name) > maxChannelName {
		return errCode("invalid_name_maxlength")
	}
	punct := true
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			punct = false
		case r == '-' || r == '_':
		default:
			return errCode("invalid_name_specials")
		}
	}
	if punct {
		return errCode("invalid_name_punctuation")
	}
	return nil
}

// parseBlocks checks a blocks argument and returns it compacted. Empty input
// gives nil. The error is invalid_blocks (with a message) when the blocks are
// obviously malformed, or invalid_blocks_format when they are not a JSON array.
func parseBlocks(raw json.RawMessage, max int) (json.RawMessage, int, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, 0, nil
	}
	var blocks []json.RawMessage
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, 0, errMessages("invalid_blocks_format", "blocks must be a JSON array of block objects")
	}
	if len(blocks) > max {
		return nil, len(blocks), errMessages("invalid_blocks", fmt.Sprintf("no more than %d items allowed [json-pointer:/blocks]", max))
	}
	ids := map[string]bool{}
	for i, b := range blocks {
		if msg := checkBlock(b); msg != "" {
			return nil, len(blocks), errMessages("invalid_blocks", fmt.Sprintf("%s [json-pointer:/blocks/%d]", msg, i))
		}
		var head struct {
			BlockID string `json:"block_id"`
		}
		_ = json.Unmarshal(b, &head)
		if head.BlockID != "" {
			if ids[head.BlockID] {
				return nil, len(blocks), errMessages("invalid_blocks", fmt.Sprintf("duplicate block_id %q [json-pointer:/blocks/%d/block_id]", head.BlockID, i))
			}
			ids[head.BlockID] = true
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, 0, errMessages("invalid_blocks_format", err.Error())
	}
	return buf.Bytes(), len(blocks), nil
}

// checkBlock returns why a block is malformed, or "".
func checkBlock(raw json.RawMessage) string {
	var b map[string]json.RawMessage
	if err := json.Unmarshal(raw, &b); err != nil {
		return "each block must be an object"
	}
	var typ string
	if err := json.Unmarshal(b["type"], &typ); err != nil || typ == "" {
		return "missing required field: type"
	}
	if idRaw, ok := b["block_id"]; ok {
		var id string
		if err := json.Unmarshal(idRaw, &id); err != nil || len(id) > 255 {
			return "block_id must be a string of at most 255 characters"
		}
	}
	switch typ {
	case "section":
		_, hasText := b["text"]
		_, hasFields := b["fields"]
		if !hasText && !hasFields {
			return "section must have text or fields"
		}
		if hasText {
			if msg := checkText(b["text"], false); msg != "" {
				return msg
			}
		}
	case "header":
		if msg := checkText(b["text"], true); msg != "" {
			return msg
		}
	case "actions":
		var els []json.RawMessage
		if err := json.Unmarshal(b["elements"], &els); err != nil || len(els) == 0 {
			return "actions must have at least one element"
		}
	case "input":
		if _, ok := b["element"]; !ok {
			return "missing required field: element"
		}
		if msg := checkText(b["label"], true); msg != "" {
			return "label: " + msg
		}
	case "context":
		var els []json.RawMessage
		if err := json.Unmarshal(b["elements"], &els); err != nil || len(els) == 0 {
			return "context must have at least one element"
		}
	}
	return ""
}

// checkText checks a text composition object.
func checkText(raw json.RawMessage, plainOnly bool) string {
	if len(raw) == 0 {
		return "missing required field: text"
	}
	var t struct {
		Type string  `json:"type"`
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return "text must be a text object"
	}
	if t.Type != "plain_text" && t.Type != "mrkdwn" {
		return "text object type must be plain_text or mrkdwn"
	}
	if plainOnly && t.Type != "plain_text" {
		return "must be a plain_text text object"
	}
	if t.Text == nil || *t.Text == "" {
		return "text object must have non-empty text"
	}
	return ""
}

// parseMetadata reads a metadata argument ({"event_type", "event_payload"}).
func parseMetadata(raw json.RawMessage) (*Metadata, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var m Metadata
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errCode("invalid_metadata_format")
	}
	if m.EventType == "" {
		return nil, errCode("invalid_metadata_schema")
	}
	if m.EventPayload == nil {
		m.EventPayload = map[string]any{}
	}
	return &m, nil
}

// parseAttachments checks an attachments argument.
func parseAttachments(raw json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(raw, &arr); err != nil {
		return nil, errCode("invalid_attachments")
	}
	if len(arr) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	_ = json.Compact(&buf, raw)
	return buf.Bytes(), nil
}
