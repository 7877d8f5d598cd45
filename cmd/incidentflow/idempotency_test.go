package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
)

// changingVerbs are the verbs that change something, each with the flags
// it needs besides its key.
var changingVerbs = [][]string{
	{"declare", "--title", "x", "--severity", "major"},
	{"update", "--incident", "abc", "--status", "identified", "--text", "x"},
	{"severity", "--incident", "abc", "--to", "critical"},
	{"resolve", "--incident", "abc", "--summary", "x"},
	{"maintenance", "schedule", "--title", "x", "--start", "2030-01-01T00:00:00Z", "--duration", "1h"},
	{"maintenance", "cancel", "--id", "abc"},
	{"maintenance", "complete", "--id", "abc"},
	{"maintenance", "promote", "--id", "abc", "--severity", "major"},
}

// TestIdempotencyKeyFlag: every verb that changes something takes
// --idempotency-key, and refuses a key it can't use in one line, before
// it dials Temporal.
func TestIdempotencyKeyFlag(t *testing.T) {
	nowhere := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	for _, args := range changingVerbs {
		verb := slices.Clone(args[:1])
		if args[0] == "maintenance" {
			verb = slices.Clone(args[:2])
		}
		if help := helpOf(t, verb...); !strings.Contains(help, "--idempotency-key key") {
			t.Errorf("incidentflow %v --help doesn't offer --idempotency-key:\n%s", verb, help)
		}
		for _, key := range []string{"", "two words", "naïve", "semi;colon", strings.Repeat("k", 65)} {
			var out, errOut bytes.Buffer
			full := append(append([]string(nil), args...), "--idempotency-key", key, "--temporal-address", nowhere)
			code := run(context.Background(), full, &out, &errOut)
			msg := strings.TrimSuffix(errOut.String(), "\n")
			if code == 0 || strings.Contains(msg, "\n") || !strings.Contains(msg, "--idempotency-key") || strings.Contains(msg, "reach Temporal") {
				t.Errorf("incidentflow %v --idempotency-key %q: exit %d, %q; want one line refusing the key", verb, key, code, msg)
			}
		}
	}
}

// TestUncertainFailuresNameTheKey: when the change may have gone through,
// the error says which key makes a retry safe (the one made up, or the one
// given); a refusal, which changed nothing, doesn't.
func TestUncertainFailuresNameTheKey(t *testing.T) {
	unreachable := fmt.Errorf("%w right now (connection reset); try again in a minute", starter.ErrUnavailable)
	made := &idempotencyKey{}
	err := made.explain(unreachable)
	key := made.value()
	if len(key) != 12 || checkIdempotencyKey(key) != nil || !errors.Is(err, starter.ErrUnavailable) ||
		!strings.HasSuffix(err.Error(), "try again in a minute. If you retry, add --idempotency-key "+key+" so the first attempt, if it went through, isn't applied twice") {
		t.Fatalf("made-up key %q: %v", key, err)
	}
	if other := (&idempotencyKey{}).value(); other == key {
		t.Fatalf("two verbs made up the same key %q", key)
	}
	given := &idempotencyKey{}
	if err := given.Set("retry-me_1"); err != nil {
		t.Fatal(err)
	}
	for _, cause := range []error{context.DeadlineExceeded, serviceerror.NewDeadlineExceeded("slow"), context.Canceled, serviceerror.NewCanceled("bye")} {
		if err := given.explain(cause); !strings.Contains(err.Error(), "If you retry, keep --idempotency-key retry-me_1 so") {
			t.Errorf("%v: %v", cause, err)
		}
	}
	if err := given.explain(context.Canceled); !strings.HasPrefix(err.Error(), "interrupted before Temporal answered") {
		t.Errorf("Ctrl-C: %v", err)
	}
	refused := errors.New("incident abc is already critical")
	if err := given.explain(refused); err != refused {
		t.Errorf("a refusal became %v", err)
	}
	result, human, err := given.done(incident.WarRoom{ID: "abc", ChannelID: "C1"}, "done", nil)
	b, _ := json.Marshal(result)
	if err != nil || human != "done" || !strings.Contains(string(b), `"idempotency_key":"retry-me_1"`) || !strings.Contains(string(b), `"channel_id":"C1"`) {
		t.Errorf("result %s, %q, %v", b, human, err)
	}
}

func FuzzIdempotencyKey(f *testing.F) {
	for _, s := range []string{"k3f9q2", "retry-me_1", "", "a b", "ü", strings.Repeat("x", 64), strings.Repeat("x", 65), "--json"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := checkIdempotencyKey(s)
		ok := s != "" && len(s) <= maxIdempotencyKey && strings.IndexFunc(s, func(r rune) bool { return !isKeyRune(r) }) < 0
		if (err == nil) != ok {
			t.Fatalf("key %q: %v", s, err)
		}
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("a refusal on two lines: %q", err)
			}
			return
		}
		if !incident.ValidID(incident.IDFromKey("cli:"+s)) || !incident.ValidID(starter.WindowIDFromKey("Upgrade", s)) {
			t.Fatalf("key %q names no usable ID", s)
		}
	})
}

// TestRetryWithTheSameKeyAppliesOnce: run again with the same
// --idempotency-key, a verb joins its first attempt: declare names the
// same incident, update posts one status update, severity and resolve are
// answered as the first time (not refused as done already), schedule
// schedules one window. Without the flag the key made up is in the JSON.
func TestRetryWithTheSameKeyAppliesOnce(t *testing.T) {
	d := startDev(t, t.TempDir())
	cliJSON := func(args ...string) map[string]any {
		t.Helper()
		out, code := d.cli(t, append(args, "--json")...)
		var res map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
			t.Fatalf("incidentflow %v exited %d: %s", args, code, out)
		}
		return res
	}
	id, _, _ := d.declareRoom(t, "--title", "Checkout is down", "--idempotency-key", "decl-1")
	if again, _, _ := d.declareRoom(t, "--title", "Checkout is down", "--idempotency-key", "decl-1"); again != id {
		t.Fatalf("declared %s, then %s with the same key", id, again)
	}
	for range 2 {
		if res := cliJSON("update", "--incident", id, "--status", "identified", "--text", "A bad deploy", "--idempotency-key", "upd-1"); res["idempotency_key"] != "upd-1" {
			t.Fatalf("update answered %v", res)
		}
	}
	made, _ := cliJSON("update", "--incident", id, "--status", "monitoring", "--text", "Rolled back")["idempotency_key"].(string)
	if checkIdempotencyKey(made) != nil || len(made) != 12 {
		t.Fatalf("update without a key printed the key %q", made)
	}
	for range 2 {
		cliJSON("severity", "--incident", id, "--to", "critical", "--idempotency-key", "sev-1")
	}
	var inc incident.Incident
	out, code := d.cli(t, "status", "--incident", id, "--json")
	if code != 0 || json.Unmarshal([]byte(out), &inc) != nil {
		t.Fatalf("status exited %d: %s", code, out)
	}
	if len(inc.Updates) != 2 || inc.Updates[0].Text != "A bad deploy" || inc.Severity != incident.Critical {
		t.Fatalf("after two updates with one key and one without: %d updates %+v, severity %s", len(inc.Updates), inc.Updates, inc.Severity)
	}
	for range 2 {
		if out, code := d.cli(t, "resolve", "--incident", id, "--summary", "Rolled back", "--idempotency-key", "res-1"); code != 0 || !strings.HasPrefix(out, "Resolved incident "+id) {
			t.Fatalf("resolve exited %d: %s", code, out)
		}
	}

	start := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
	schedule := func() string {
		t.Helper()
		out, code := d.cli(t, "maintenance", "schedule", "--title", "DB upgrade", "--start", start, "--duration", "1h", "--idempotency-key", "mw-1")
		if code != 0 {
			t.Fatalf("schedule exited %d: %s", code, out)
		}
		return out
	}
	first, again := schedule(), schedule()
	wantID := starter.WindowIDFromKey("DB upgrade", "mw-1")
	if !strings.HasPrefix(first, "Scheduled maintenance "+wantID) || !strings.HasPrefix(again, "Already scheduled, unchanged: maintenance "+wantID) {
		t.Fatalf("scheduled twice with one key:\n%s\n%s", first, again)
	}
}
