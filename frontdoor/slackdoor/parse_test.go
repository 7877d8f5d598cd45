package slackdoor

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/incidentflow/incidentflow/incident"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text string
		want Command
	}{
		{"", Command{Verb: VerbDeclare}},
		{"   \t ", Command{Verb: VerbDeclare}},
		{"declare", Command{Verb: VerbDeclare}},
		{"declare Checkout is down", Command{Verb: VerbDeclare, Text: "Checkout is down"}},
		{"  DECLARE   \"Checkout is down\"  ", Command{Verb: VerbDeclare, Text: "Checkout is down"}},
		{"declare “Paiement échoué”", Command{Verb: VerbDeclare, Text: "Paiement échoué"}},
		{"declare can't log in &amp; &lt;!channel&gt;", Command{Verb: VerbDeclare, Text: "can't log in & <!channel>"}},
		{"declare <!channel> ping <@U123|bob> in <#C1|ops> see <https://x.io/a|runbook>", Command{Verb: VerbDeclare, Text: "@channel ping @bob in #ops see runbook (https://x.io/a)"}},
		{"new\u00a0DB\u200bdown", Command{Verb: VerbDeclare, Text: "DB\u200bdown"}},
		{"update", Command{Verb: VerbUpdate}},
		{"update identified cache poisoned", Command{Verb: VerbUpdate, Arg: "identified", Text: "cache poisoned"}},
		{"update Mitigated", Command{Verb: VerbUpdate, Arg: "mitigated"}},
		{"update rolling back now", Command{Verb: VerbUpdate, Text: "rolling back now"}},
		{"severity critical", Command{Verb: VerbSeverity, Arg: "critical"}},
		{"sev  \"MAJOR\"  customers see errors", Command{Verb: VerbSeverity, Arg: "major", Text: "customers see errors"}},
		{"lead <@U0BOB|bob>", Command{Verb: VerbLead, User: "U0BOB"}},
		{"lead <@U0BOB>", Command{Verb: VerbLead, User: "U0BOB"}},
		{"ic <@W0ENT|Ann Lee>", Command{Verb: VerbLead, User: "W0ENT"}},
		{"lead me", Command{Verb: VerbLead, Self: true}},
		{"comms <@U0CAROL|carol>  ", Command{Verb: VerbComms, User: "U0CAROL"}},
		{"resolve", Command{Verb: VerbResolve}},
		{"close rolled back the deploy", Command{Verb: VerbResolve, Text: "rolled back the deploy"}},
		{"status please", Command{Verb: VerbStatus}},
		{"timeline", Command{Verb: VerbTimeline}},
		{"catch-up", Command{Verb: VerbCatchup}},
		{"action add an alert on queue depth", Command{Verb: VerbAction, Text: "add an alert on queue depth"}},
		{"action <@U0DAVE|dave> add an alert", Command{Verb: VerbAction, User: "U0DAVE", Text: "add an alert"}},
		{"action @dave add an alert", Command{Verb: VerbAction, Who: "dave", Text: "add an alert"}},
		{"action @ add an alert", Command{Verb: VerbAction, Text: "@ add an alert"}},
		{"lead @bob", Command{Verb: VerbLead, Who: "bob"}},
		{"lead bob", Command{Verb: VerbLead, Who: "bob"}},
		{"comms Carol Chen", Command{Verb: VerbComms, Who: "Carol Chen"}},
		{"comms @Carol Chen", Command{Verb: VerbComms, Who: "Carol Chen"}},
		{"comms “Carol Chen”", Command{Verb: VerbComms, Who: "Carol Chen"}},
		{"lead <mailto:bob@example.com|bob@example.com>", Command{Verb: VerbLead, Who: "bob@example.com"}},
		{"list", Command{Verb: VerbList}},
		{"Help", Command{Verb: VerbHelp}},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.text)
		if err != nil {
			t.Errorf("ParseCommand(%q): %v", tt.text, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseCommand(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
}

func TestParseCommandErrors(t *testing.T) {
	tests := []struct {
		text, wantIn string
	}{
		{"frobnicate now", "I don't know the subcommand “frobnicate”"},
		{"<@U1> declare", "I don't know the subcommand"},
		{"severity", "which severity?"},
		{"severity <@U0BOB>", "not a person"},
		{"severity \"critical", "quote isn't closed"},
		{"lead", "who?"},
		{"lead <#C0INCIDENTS|incidents>", "I can't tell who"},
		{"lead @bob @carol", "one person at a time"},
		{"lead <@U0BOB> <@U0CAROL>", "one person at a time"},
		{"comms <@not-an-id>", "I can't tell who"},
		{"action", "what needs doing?"},
		{"action <@U0DAVE|dave>", "what needs doing?"},
		{strings.Repeat("x", MaxCommandText+1), "keep it under"},
	}
	for _, tt := range tests {
		_, err := ParseCommand(tt.text)
		if err == nil || !strings.Contains(err.Error(), tt.wantIn) {
			t.Errorf("ParseCommand(%q) error = %v, want one containing %q", tt.text, err, tt.wantIn)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := map[string]string{
		"a &amp;lt; b":             "a &lt; b",
		"<https://a.io>":           "https://a.io",
		"<https://a.io|a.io>":      "https://a.io",
		"<mailto:x@y.z|x@y.z>":     "x@y.z (mailto:x@y.z)",
		"<!subteam^S1|@oncall> hi": "@oncall hi",
		"<!here>":                  "@here",
		"<@U1>":                    "@U1",
		"x < y":                    "x < y",
		"unclosed <@U1":            "unclosed <@U1",
	}
	for in, want := range tests {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseCommand checks that no input makes the parser panic, and that
// what it returns is always usable: a known verb, a real user ID or a
// trimmed name to look up, valid
// UTF-8, an error in words.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"", "declare Checkout down", "update identified x", "severity critical db",
		"lead <@U0BOB|bob>", "comms <@U1>", "action <@U1|a b> fix", "resolve \"done\"",
		"sev “major", "lead <@", "<<<>>>", "declare &amp;&lt;&gt;", "\xff\xfe", "list", "help",
		"drill", "drill database-outage", "gameday \"Bad-Deploy\"", "game-day <@U1> x", "hint", "clue now",
	} {
		f.Add(s)
	}
	known := map[Verb]bool{}
	for _, v := range verbAliases {
		known[v] = true
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := ParseCommand(text)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatalf("empty error for %q", text)
			}
			if cmd != (Command{}) {
				t.Fatalf("error %v with a non-zero command %+v", err, cmd)
			}
			return
		}
		if !known[cmd.Verb] {
			t.Fatalf("unknown verb %q for %q", cmd.Verb, text)
		}
		if cmd.User != "" && !incident.IsUserID(cmd.User) {
			t.Fatalf("user %q is not a user ID (input %q)", cmd.User, text)
		}
		if !utf8.ValidString(cmd.Text) || !utf8.ValidString(cmd.Arg) {
			t.Fatalf("invalid UTF-8 out of %q: %+v", text, cmd)
		}
		if cmd.Text != trimSpace(cmd.Text) {
			t.Fatalf("untrimmed text %q out of %q", cmd.Text, text)
		}
		if (cmd.Verb == VerbLead || cmd.Verb == VerbComms) && cmd.User == "" && cmd.Who == "" && !cmd.Self {
			t.Fatalf("%s without a person for %q", cmd.Verb, text)
		}
		if cmd.Who != "" && (cmd.User != "" || !utf8.ValidString(cmd.Who) || cmd.Who != trimSpace(cmd.Who)) {
			t.Fatalf("person %q named in words alongside user %q, or unusable, out of %q", cmd.Who, cmd.User, text)
		}
		if cmd.Verb == VerbSeverity && cmd.Arg == "" {
			t.Fatalf("severity without a name for %q", text)
		}
	})
}
