package main

import (
	"slices"
	"strings"
	"testing"
)

// fuzzedVerbs are the verbs FuzzVerbFlags runs: all but dev, which would
// start a Temporal server.
var fuzzedVerbs = [][]string{
	{"declare"}, {"update"}, {"severity"}, {"resolve"}, {"status"}, {"list"}, {"worker"}, {"serve"}, {"setup"},
	{"maintenance", "schedule"}, {"maintenance", "list"}, {"maintenance", "cancel"}, {"maintenance", "status"},
	{"maintenance", "complete"}, {"maintenance", "promote"}, {"alert", "fire"}, {"alert", "resolve"}, {"maintenance"}, {"alert"},
	{"insights"},
}

// reaching are the flags that would point a verb at another configuration,
// Temporal, dev or front door than the hermetic ones: FuzzVerbFlags leaves
// them out.
var reaching = []string{"--config", "--temporal-address", "--data-dir", "--url"}

// FuzzVerbFlags: whatever flags a verb is given, it doesn't panic, and
// whatever it refuses it refuses in one line (a configuration problem a
// flag caused is one line per problem under "invalid configuration:", each
// naming the flag). The verbs run hermetic: flags that pass their checks end
// at "dev isn't running", reaching nothing.
func FuzzVerbFlags(f *testing.F) {
	for _, seed := range []struct {
		verb uint8
		args string
	}{
		{0, "--title\x00Checkout is down\x00--severity\x00critical\x00--service\x00checkout\x00--security\x00--json"},
		{0, "--title=\x00--severity=critical\x00--commander\x00bob\x00--as\x00U0ALICE\x00--idempotency-key\x00k 1"},
		{1, "--incident\x00x y\x00--status\x00fixed\x00--text\x00\x00--next\x00-5m"},
		{1, "--incident=k7d3m2qa\x00--status=identified\x00--text=x\x00--next=1h"},
		{2, "--incident\x00k7d3m2qa\x00--to\x00\x00--reason\x00\n"},
		{3, "--incident\x00k7d3m2qa\x00--summary\x00done\x00--as\x00alice@example.com"},
		{4, "--incident\x00\x00--json"},
		{5, "--all\x00--status\x00resolved\x00--since\x007d"},
		{5, "--since\x00-3d\x00--status\x00open"},
		{7, "--listen\x00nowhere"},
		{8, "--retention\x00-1h"},
		{9, "--title\x00DB\x00--start\x00tomorrow\x00--duration\x002h\x00--recurrence\x00cron:* *\x00--lead\x00bob\x00--announce\x00a,B"},
		{11, "--id\x00db-upgrade\x00--reason\x00x"},
		{15, "--id\x00w\x00--severity\x00critical\x00--note\x00n"},
		{16, "--labels\x00alertname=x,service\x00--summary\x00s"},
		{17, "frobnicate"},
		{1, "--bogus\nflag\x00-x\x00---y\x00--\x00rest"},
		{0, "--help"},
	} {
		f.Add(seed.verb, seed.args)
	}
	hermetic(f, f.TempDir())
	f.Fuzz(func(t *testing.T, verb uint8, args string) {
		argv := append([]string(nil), fuzzedVerbs[int(verb)%len(fuzzedVerbs)]...)
		fields := strings.Split(args, "\x00")
		for i := 0; i < len(fields); i++ {
			if name, _, _ := strings.Cut(fields[i], "="); slices.Contains(reaching, name) {
				if !strings.Contains(fields[i], "=") {
					i++ // and its value
				}
				continue
			}
			argv = append(argv, fields[i])
		}
		code, stderr := runVerb(argv)
		if code == 0 {
			return // --help
		}
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if !strings.HasSuffix(stderr, "\n") || lines[0] == "" {
			t.Fatalf("incidentflow %q: exit %d with stderr %q, want one line", argv, code, stderr)
		}
		if len(lines) == 1 {
			return
		}
		if !strings.HasSuffix(lines[0], ": invalid configuration:") {
			t.Fatalf("incidentflow %q: refused in %d lines:\n%s", argv, len(lines), stderr)
		}
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l, "  --") {
				t.Fatalf("incidentflow %q: a configuration problem that names no flag: %q", argv, l)
			}
		}
	})
}
