package slackdoor

import (
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestManifest keeps slack-app-manifest.yaml in step with the front door:
// the commands and shortcuts it handles, mentions escaped, Socket Mode on,
// and only the scopes the code needs.
func TestManifest(t *testing.T) {
	raw, err := os.ReadFile("../../slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command      string `yaml:"command"`
				ShouldEscape bool   `yaml:"should_escape"`
			} `yaml:"slash_commands"`
			Shortcuts []struct {
				Name       string `yaml:"name"`
				Type       string `yaml:"type"`
				CallbackID string `yaml:"callback_id"`
			} `yaml:"shortcuts"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				BotEvents []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var commands []string
	for _, c := range m.Features.SlashCommands {
		commands = append(commands, c.Command)
		if !c.ShouldEscape {
			t.Errorf("%s: should_escape must be true, or mentions arrive as plain @names", c.Command)
		}
	}
	if !slices.Equal(commands, []string{"/incident", "/closeincident"}) {
		t.Errorf("slash commands %v", commands)
	}
	var global []string
	var message []MessageShortcut
	for _, s := range m.Features.Shortcuts {
		switch s.Type {
		case "global":
			global = append(global, s.CallbackID)
		case "message":
			message = append(message, MessageShortcut{CallbackID: s.CallbackID, Name: s.Name})
		default:
			t.Errorf("shortcut %s of type %q", s.CallbackID, s.Type)
		}
	}
	if !slices.Equal(global, []string{ShortcutDeclare}) {
		t.Errorf("global shortcuts %v", global)
	}
	if !slices.Equal(message, MessageShortcuts()) {
		t.Errorf("message shortcuts in the manifest\n%v\nMessageShortcuts (what the sandbox offers)\n%v", message, MessageShortcuts())
	}
	if !m.Settings.Interactivity.Enabled || !m.Settings.SocketMode {
		t.Error("interactivity and Socket Mode must be enabled")
	}
	if !slices.Equal(m.Settings.Events.BotEvents, []string{"app_mention", "reaction_added", "reaction_removed",
		"pin_added", "pin_removed", "message.channels", "message.groups"}) {
		t.Errorf("bot events %v", m.Settings.Events.BotEvents)
	}
	want := []string{"commands", "app_mentions:read", "chat:write", "chat:write.public", "channels:read", "groups:read",
		"channels:manage", "groups:write", "channels:history", "groups:history", "im:history", "im:write",
		"bookmarks:read", "bookmarks:write", "pins:write", "pins:read", "reactions:read", "reactions:write", "users:read", "users:read.email", "files:write", "files:read"}
	if !slices.Equal(m.OAuth.Scopes.Bot, want) {
		t.Errorf("bot scopes\n%v\nwant\n%v", m.OAuth.Scopes.Bot, want)
	}
}
