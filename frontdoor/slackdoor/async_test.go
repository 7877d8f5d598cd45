package slackdoor

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
)

// TestCommandAnswersBeforeModal: a slash command that opens a modal is
// answered at once; views.open follows, however slow Slack is.
func TestCommandAnswersBeforeModal(t *testing.T) {
	d := newDoor(t)
	d.emu.SetLatency(func(method string) time.Duration {
		if method == "views.open" {
			return 300 * time.Millisecond
		}
		return 0
	})
	rep := d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "declare Checkout down")
	if len(rep.Body) != 0 || rep.Elapsed >= 300*time.Millisecond {
		t.Fatalf("answered %q after %v; want an empty answer before views.open returns", rep.Body, rep.Elapsed)
	}
	t.Logf("answered in %v", rep.Elapsed.Round(time.Millisecond))
	v := d.openView(CallbackDeclare)
	if !strings.Contains(string(v.Blocks), "Checkout down") {
		t.Fatalf("modal %s", v.Blocks)
	}
}

// TestDeclareSlowTemporal: with Temporal taking 200 ms, the declare form
// closes within SubmitWait and the incident is still declared, once.
func TestDeclareSlowTemporal(t *testing.T) {
	d := newDoor(t)
	d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "declare")
	v := d.openView(CallbackDeclare)
	d.ops.delay.Store(int64(200 * time.Millisecond))
	rep := d.submit(v.ID, "", form().text(FieldTitle, "Payments slow").sel(FieldSeverity, "major"))
	t.Logf("answered in %v", rep.Elapsed.Round(time.Millisecond))
	if rep.ResponseAction != "clear" || rep.Elapsed > 150*time.Millisecond {
		t.Fatalf("answered %s after %v", rep.Body, rep.Elapsed)
	}
	if n := d.ops.count(); n != 0 {
		t.Fatalf("%d calls done before the answer; want the declaration still running", n)
	}
	eventually(t, "the declaration", func() bool { return d.ops.count() == 1 })
	d.fd.Wait()
	if got := d.ephemeralTexts(slackemu.GeneralChannelID, slackemu.UserAlice); len(got) != 0 {
		t.Fatalf("told %q after a successful declaration", got)
	}
}

// TestDeclareSlowTemporalFails: when the declaration fails after the form
// closed, the declarer is told in the channel they declared from.
func TestDeclareSlowTemporalFails(t *testing.T) {
	d := newDoor(t)
	d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "declare")
	v := d.openView(CallbackDeclare)
	d.ops.delay.Store(int64(200 * time.Millisecond))
	d.ops.fail = fmt.Errorf("%w right now (connection refused)", starter.ErrUnavailable)
	rep := d.submit(v.ID, "", form().text(FieldTitle, "Payments slow").sel(FieldSeverity, "major"))
	if rep.ResponseAction != "clear" || rep.Elapsed > 150*time.Millisecond {
		t.Fatalf("answered %s after %v", rep.Body, rep.Elapsed)
	}
	want := "Temporal is unreachable; your incident was NOT declared. Run `/incident declare` again to retry, or declare by hand in #incidents."
	eventually(t, "the failure notice", func() bool {
		for _, text := range d.ephemeralTexts(slackemu.GeneralChannelID, slackemu.UserAlice) {
			if text == want {
				return true
			}
		}
		return false
	})
}

// TestDeclareSlowTemporalFailsDM: declared from the global shortcut (no
// channel), the declarer is told in a direct message.
func TestDeclareSlowTemporalFailsDM(t *testing.T) {
	d := newDoor(t)
	if _, err := d.emu.Shortcut(context.Background(), ShortcutDeclare, slackemu.UserBob); err != nil {
		t.Fatal(err)
	}
	v := d.openView(CallbackDeclare)
	d.ops.delay.Store(int64(200 * time.Millisecond))
	d.ops.fail = fmt.Errorf("%w right now (connection refused)", starter.ErrUnavailable)
	rep := d.submit(v.ID, slackemu.UserBob, form().text(FieldTitle, "Payments slow").sel(FieldSeverity, "major"))
	if rep.ResponseAction != "clear" {
		t.Fatalf("answered %s", rep.Body)
	}
	eventually(t, "the direct message", func() bool {
		for _, ch := range d.emu.Channels() {
			if !ch.IsIM || ch.User != slackemu.UserBob {
				continue
			}
			for _, m := range d.emu.Messages(ch.ID) {
				if strings.Contains(m.Text, "your incident was NOT declared") {
					return true
				}
			}
		}
		return false
	})
}
