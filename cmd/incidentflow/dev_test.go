package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/devstate"
)

// sandboxChannel is a channel in the Slack sandbox's GET /_emu/state.
type sandboxChannel struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Bookmarks []struct {
		Title string `json:"title"`
		Link  string `json:"link"`
	} `json:"bookmarks"`
	Messages []struct {
		Text string `json:"text"`
	} `json:"messages"`
}

// sandboxChannels are the channels of dev's Slack sandbox.
func (d *devProcess) sandboxChannels(t *testing.T) []sandboxChannel {
	t.Helper()
	_, body := get(t, d.slack+"/_emu/state")
	var st struct {
		Channels []sandboxChannel `json:"channels"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("Slack sandbox state: %v", err)
	}
	return st.Channels
}

// sandboxChannel returns the Slack sandbox's channel name, and whether it
// exists.
func (d *devProcess) sandboxChannel(t *testing.T, name string) (sandboxChannel, bool) {
	t.Helper()
	for _, ch := range d.sandboxChannels(t) {
		if ch.Name == name {
			return ch, true
		}
	}
	return sandboxChannel{}, false
}

// bookmarked reports whether a channel has a bookmark linking to a URL
// that starts with prefix.
func (d *devProcess) bookmarked(t *testing.T, prefix string) bool {
	t.Helper()
	for _, ch := range d.sandboxChannels(t) {
		for _, b := range ch.Bookmarks {
			if strings.HasPrefix(b.Link, prefix) {
				return true
			}
		}
	}
	return false
}

// hasMessage reports whether a message in ch contains text.
func (ch sandboxChannel) hasMessage(text string) bool {
	for _, m := range ch.Messages {
		if strings.Contains(m.Text, text) {
			return true
		}
	}
	return false
}

// readmeSection is the text of README.md under heading, up to the next
// heading of the same level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q", heading)
	}
	level := strings.Fields(heading)[0] + " "
	sec, _, _ = strings.Cut(sec, "\n"+level)
	return sec
}

// codeBlocks are the contents of the ```lang blocks in text.
func codeBlocks(text, lang string) []string {
	var out []string
	for _, part := range strings.Split(text, "```"+lang+"\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		out = append(out, block)
	}
	return out
}

// shellWords splits a command line as sh does, for the double quotes the
// README uses.
func shellWords(line string) []string {
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, w.String())
				w.Reset()
			}
			inWord = false
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// TestReadmeRunItOnMovedPorts runs the README's "Run it" commands as
// written, with the README's example configuration, against dev on ports
// that are none of the defaults: without --temporal-address the verbs find
// that dev through its data dir; the war rooms of the incident and of
// maintenance scheduled from the CLI bookmark dev's real Web UI; the channels the configuration names exist in the Slack
// sandbox, and the update is broadcast to one of them. Once dev has
// stopped, the verbs say dev isn't running, and a state file left behind
// by a dev that was killed doesn't make them act elsewhere.
func TestReadmeRunItOnMovedPorts(t *testing.T) {
	dataDir := t.TempDir()
	configFile := filepath.Join(t.TempDir(), "incidentflow.yaml")
	configs := codeBlocks(readmeSection(t, "## Configuration"), "yaml")
	if len(configs) == 0 {
		t.Fatal("README's Configuration has no yaml block")
	}
	if err := os.WriteFile(configFile, []byte(configs[0]), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDev(t, dataDir, "--config", configFile)
	if want := "--temporal-address " + d.temporal; !strings.Contains(d.out.String(), want) {
		t.Errorf("dev's banner doesn't say %q:\n%s", want, d.out.String())
	}
	for _, name := range []string{"incidents", "status-updates"} {
		if _, ok := d.sandboxChannel(t, name); !ok {
			t.Errorf("the Slack sandbox has no #%s, which the README's configuration names", name)
		}
	}

	var commands [][]string
	for _, block := range codeBlocks(readmeSection(t, "## Run it"), "sh") {
		for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
			args, ok := strings.CutPrefix(line, "go run ./cmd/incidentflow ")
			if !ok {
				t.Fatalf("README's Run it runs %q", line)
			}
			commands = append(commands, shellWords(args))
		}
	}
	if len(commands) < 5 || commands[0][0] != "dev" {
		t.Fatalf("README's Run it: %q", commands)
	}
	var id string
	declared := regexp.MustCompile(`Declared incident (\S+): war room #(\S+) `)
	for _, args := range commands[1:] {
		for i, a := range args {
			if a == "ID" {
				args[i] = id
			}
		}
		out, code := d.cli(t, args...)
		if code != 0 {
			t.Fatalf("incidentflow %s exited %d: %s", strings.Join(args, " "), code, out)
		}
		switch args[0] {
		case "declare":
			m := declared.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("declare printed %q", out)
			}
			id = m[1]
			if _, ok := d.sandboxChannel(t, m[2]); !ok {
				t.Fatalf("the war room #%s isn't in dev's Slack sandbox", m[2])
			}
			waitFor(t, "the war room's bookmark of dev's Web UI", func() bool {
				return d.bookmarked(t, d.ui+"/namespaces/default/workflows/incident-"+id)
			})
		case "list":
			if !strings.Contains(out, id) {
				t.Errorf("list doesn't show %s:\n%s", id, out)
			}
		case "update":
			text := args[len(args)-1]
			waitFor(t, "the broadcast in #status-updates", func() bool {
				ch, _ := d.sandboxChannel(t, "status-updates")
				return ch.hasMessage(text)
			})
		}
	}
	out, code := d.cli(t, "status", "--incident", id, "--json")
	if code != 0 || !strings.Contains(out, `"status": "resolved"`) {
		t.Errorf("status after the README's resolve (%d): %s", code, out)
	}

	// Maintenance scheduled from the CLI opens a war room bookmarked the same.
	start := time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339)
	if out, code := d.cli(t, "maintenance", "schedule", "--id", "db-upgrade", "--title", "DB upgrade", "--start", start, "--duration", "1h"); code != 0 {
		t.Fatalf("maintenance schedule exited %d: %s", code, out)
	}
	waitFor(t, "the maintenance war room's bookmark of dev's Web UI", func() bool {
		return d.bookmarked(t, d.ui+"/namespaces/default/workflows/incident-db-upgrade-")
	})

	// The stopped dev's state file, as a killed dev leaves it behind.
	stale, err := os.ReadFile(devstate.Path(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	d.stop(t)
	if _, err := os.Stat(devstate.Path(dataDir)); !os.IsNotExist(err) {
		t.Errorf("dev stopped and left %s (%v)", devstate.Path(dataDir), err)
	}
	if out, code := d.cli(t, "list"); code == 0 || !strings.Contains(out, "incidentflow dev isn't running with data dir") {
		t.Errorf("list after dev stopped (%d): %s", code, out)
	}
	if err := os.WriteFile(devstate.Path(dataDir), stale, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := d.cli(t, "list"); code == 0 || !strings.Contains(out, "incidentflow dev isn't running: ") || !strings.Contains(out, "nothing answers there") {
		t.Errorf("list with a stale state file (%d): %s", code, out)
	}
}

// TestVerbsActOnlyOnIncidentflowsTemporal: a state file naming another
// Temporal than the dev that wrote it, and a Temporal without incidentflow's
// namespace, are refused with what to do instead.
func TestVerbsActOnlyOnIncidentflowsTemporal(t *testing.T) {
	d := startDev(t, t.TempDir())
	other := t.TempDir()
	if err := devstate.Write(other, devstate.State{TemporalAddress: d.temporal, ClusterID: "someone-else"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		env  string // INCIDENTFLOW_TEMPORAL_NAMESPACE
		want string
	}{
		{[]string{"list", "--data-dir", other}, "", "another Temporal answers there now"},
		{[]string{"list", "--temporal-address", d.temporal}, "nobody-set-this-up", `has no namespace "nobody-set-this-up", so it isn't set up for incidentflow`},
		{[]string{"maintenance", "list", "--temporal-address", d.temporal}, "nobody-set-this-up", "incidentflow setup --temporal-address " + d.temporal},
	}
	for _, c := range cases {
		t.Setenv("INCIDENTFLOW_TEMPORAL_NAMESPACE", c.env)
		var out, errOut strings.Builder
		code := run(context.Background(), c.args, &out, &errOut)
		if code == 0 || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("incidentflow %v: exit %d, stderr %q; want %q", c.args, code, errOut.String(), c.want)
		}
	}
}

// helpOf is what `incidentflow <args> --help` prints on standard output.
func helpOf(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut strings.Builder
	if code := run(context.Background(), append(args, "--help"), &out, &errOut); code != 0 || errOut.Len() > 0 {
		t.Errorf("incidentflow %v --help: exit %d, stderr %q", args, code, errOut.String())
	}
	return out.String()
}

// TestHelpIsComplete: every verb's and subcommand's --help goes to
// standard output and ends with one newline; a verb offers only the flags
// it uses; the top-level help names every subcommand.
func TestHelpIsComplete(t *testing.T) {
	subs := map[string][]verb{"maintenance": maintenanceVerbs, "alert": alertVerbs}
	top := helpOf(t)
	for _, v := range verbs() {
		runs := [][]string{{v.name}}
		for _, sub := range subs[v.name] {
			runs = append(runs, []string{v.name, sub.name})
			if !strings.Contains(top, sub.name) {
				t.Errorf("the top-level help doesn't name `%s %s`", v.name, sub.name)
			}
		}
		for _, args := range runs {
			help := helpOf(t, args...)
			if !strings.HasSuffix(help, "\n") || strings.HasSuffix(help, "\n\n") {
				t.Errorf("incidentflow %v --help doesn't end with one newline: %q", args, help)
			}
		}
	}
	for _, args := range [][]string{{"dev"}, {"alert", "fire"}, {"alert", "resolve"}} {
		if help := helpOf(t, args...); strings.Contains(help, "--temporal-address") {
			t.Errorf("incidentflow %v --help offers --temporal-address, which it doesn't use", args)
		}
	}
	if help := helpOf(t, "declare"); !strings.Contains(help, "--data-dir string") {
		t.Errorf("declare --help doesn't offer --data-dir:\n%s", help)
	}
}
