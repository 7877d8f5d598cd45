package slackemu_test

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/internal/statefile"
)

// reopen loads the state file at path into a second emulator, as a
// restart after kill -9 would: the first is neither closed nor saved.
func reopen(t *testing.T, path string) *slackemu.Server {
	t.Helper()
	s := slackemu.New(slackemu.Options{StateFile: path})
	t.Cleanup(s.Close)
	if err := s.StateFileError(); err != nil {
		t.Fatalf("reloading the state file: %v", err)
	}
	return s
}

// messageAt returns the message with ts in channelID of srv.
func messageAt(srv *slackemu.Server, channelID, ts string) (slackemu.Message, bool) {
	for _, m := range srv.Messages(channelID) {
		if m.TS == ts {
			return m, true
		}
	}
	return slackemu.Message{}, false
}

// TestStateFileWrittenBeforeAnswer: every change the Web API answered is
// in the state file by the time the answer arrives, without Close or Save:
// an emulator opened on the file right after each call sees it.
func TestStateFileWrittenBeforeAnswer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slack-sandbox.json")
	srv, api, _ := newEmu(t, slackemu.Options{StateFile: path})

	ch, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-written"})
	must(t, err)
	if _, ok := reopen(t, path).Channel(ch.ID); !ok {
		t.Fatal("conversations.create answered, the channel is not in the file")
	}
	_, err = api.InviteUsersToConversation(ch.ID, slackemu.UserBob)
	must(t, err)
	if got, _ := reopen(t, path).Channel(ch.ID); !slices.Contains(got.Members, slackemu.UserBob) {
		t.Errorf("conversations.invite answered, members in the file = %v", got.Members)
	}
	_, err = api.SetTopicOfConversation(ch.ID, "SEV1 · Checkout")
	must(t, err)
	if got, _ := reopen(t, path).Channel(ch.ID); got.Topic != "SEV1 · Checkout" {
		t.Errorf("conversations.setTopic answered, topic in the file = %q", got.Topic)
	}
	_, err = api.AddBookmark(ch.ID, slack.AddBookmarkParameters{Title: "Runbook", Type: "link", Link: "https://wiki.example.com/rb"})
	must(t, err)
	if got, _ := reopen(t, path).Channel(ch.ID); len(got.Bookmarks) != 1 {
		t.Errorf("bookmarks.add answered, bookmarks in the file = %+v", got.Bookmarks)
	}
	_, kickoff, err := api.PostMessage(ch.ID, slack.MsgOptionText("Kickoff", false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "incident_kickoff", EventPayload: map[string]any{"id": "abc"}}))
	must(t, err)
	if m, ok := messageAt(reopen(t, path), ch.ID, kickoff); !ok || m.Metadata == nil || m.Metadata.EventType != "incident_kickoff" {
		t.Errorf("chat.postMessage answered, message in the file = %+v, %v", m, ok)
	}
	must(t, api.AddReaction("eyes", slack.ItemRef{Channel: ch.ID, Timestamp: kickoff}))
	must(t, api.AddPin(ch.ID, slack.ItemRef{Channel: ch.ID, Timestamp: kickoff}))
	if m, _ := messageAt(reopen(t, path), ch.ID, kickoff); !m.Pinned || len(m.Reactions) != 1 {
		t.Errorf("reactions.add and pins.add answered, message in the file = %+v", m)
	}
	_, _, _, err = api.UpdateMessage(ch.ID, kickoff, slack.MsgOptionText("Kickoff (edited)", false))
	must(t, err)
	if m, _ := messageAt(reopen(t, path), ch.ID, kickoff); m.Text != "Kickoff (edited)" || !m.Edited {
		t.Errorf("chat.update answered, message in the file = %+v", m)
	}
	_, reply, err := api.PostMessage(ch.ID, slack.MsgOptionText("Rolling back", false), slack.MsgOptionTS(kickoff))
	must(t, err)
	if m, _ := messageAt(reopen(t, path), ch.ID, kickoff); m.ReplyCount != 1 {
		t.Errorf("a reply answered, its parent in the file = %+v", m)
	}
	_, _, err = api.DeleteMessage(ch.ID, reply)
	must(t, err)
	again := reopen(t, path)
	if _, ok := messageAt(again, ch.ID, reply); ok {
		t.Error("chat.delete answered, the reply is still in the file")
	}
	if m, _ := messageAt(again, ch.ID, kickoff); m.ReplyCount != 0 {
		t.Errorf("chat.delete answered, the parent in the file = %+v", m)
	}
	view, err := api.OpenView(srv.MintTriggerID(), slack.ModalViewRequest{Type: slack.VTModal, Title: plainText("Declare"),
		CallbackID: "incident_declare", Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}})
	must(t, err)
	if v, ok := reopen(t, path).View(view.ID); !ok || v.Hash != view.Hash {
		t.Errorf("views.open answered, view in the file = %+v, %v", v, ok)
	}
	_, err = api.PostEphemeral(ch.ID, slackemu.UserBob, slack.MsgOptionText("Only you", false))
	must(t, err)
	if e := reopen(t, path).Ephemerals(ch.ID, slackemu.UserBob); len(e) != 1 {
		t.Errorf("chat.postEphemeral answered, ephemerals in the file = %+v", e)
	}
	_, _, err = api.ScheduleMessage(ch.ID, "1700003600", slack.MsgOptionText("Time for an update", false))
	must(t, err)
	if sm := reopen(t, path).ScheduledMessages(); len(sm) != 1 {
		t.Errorf("chat.scheduleMessage answered, scheduled in the file = %+v", sm)
	}
	must(t, api.ArchiveConversation(ch.ID))
	if got, _ := reopen(t, path).Channel(ch.ID); !got.IsArchived {
		t.Error("conversations.archive answered, the channel in the file is not archived")
	}
	next, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-next"})
	must(t, err)
	if after, err := reopen(t, path).CreateChannel("inc-after", false, slackemu.UserAlice); err != nil || after.ID <= next.ID {
		t.Errorf("IDs after a reload: %s after %s (%v)", after.ID, next.ID, err)
	}
}

// TestStateFileTornJournal: a journal whose last change was cut short (the
// sandbox killed in the middle of a write) loads every change before it and
// says what it dropped; the next start is clean.
func TestStateFileTornJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slack-sandbox.json")
	srv, api, _ := newEmu(t, slackemu.Options{StateFile: path})
	_, first, err := api.PostMessage(slackemu.IncidentsChannelID, slack.MsgOptionText("first", false))
	must(t, err)
	_, second, err := api.PostMessage(slackemu.IncidentsChannelID, slack.MsgOptionText("second", false))
	must(t, err)
	jp := path + statefile.JournalSuffix
	journal, err := os.ReadFile(jp)
	must(t, err)
	must(t, os.WriteFile(jp, journal[:len(journal)-7], 0o600))

	after := slackemu.New(slackemu.Options{StateFile: path})
	t.Cleanup(after.Close)
	var jerr *slackemu.JournalError
	if err := after.StateFileError(); !errors.As(err, &jerr) || jerr.Loaded != 1 || jerr.MovedTo != jp+".corrupt" ||
		!strings.Contains(err.Error(), "Slack sandbox journal "+jp) || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("StateFileError() = %v", err)
	}
	if _, ok := messageAt(after, slackemu.IncidentsChannelID, first); !ok {
		t.Error("the change before the torn one was not loaded")
	}
	if _, ok := messageAt(after, slackemu.IncidentsChannelID, second); ok {
		t.Error("the torn change was loaded")
	}
	after.Close()
	srv.Close()
	if _, ok := messageAt(reopen(t, path), slackemu.IncidentsChannelID, second); !ok {
		t.Error("the sandbox that wrote the journal did not have the last word on Close")
	}
}

// crashChildEnv names the state file of the emulator TestStateFileSurvivesKill9
// runs in a child process.
const crashChildEnv = "SLACKEMU_CRASH_STATE_FILE"

// TestStateFileSurvivesKill9: an emulator in another process is killed
// with SIGKILL right after answering; started again on its state file, it
// has every change it answered.
func TestStateFileSurvivesKill9(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		runCrashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "slack-sandbox.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestStateFileSurvivesKill9$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url, err := bufio.NewReader(out).ReadString('\n')
	must(t, err)
	api := slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(strings.TrimSpace(url)+"/api/"))

	ch, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-killed"})
	must(t, err)
	var mu sync.Mutex
	var answered []string // ts of every post the emulator answered
	var wg sync.WaitGroup
	killed := make(chan struct{})
	var once sync.Once
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				_, ts, err := api.PostMessage(ch.ID, slack.MsgOptionText(fmt.Sprintf("update %d.%d", w, i), false))
				if err != nil {
					return // killed, in flight
				}
				mu.Lock()
				answered = append(answered, ts)
				if len(answered) == 60 {
					once.Do(func() { _ = cmd.Process.Kill(); close(killed) }) // right after an answer
				}
				mu.Unlock()
			}
		}()
	}
	<-killed
	wg.Wait()
	_ = cmd.Wait()

	again := slackemu.New(slackemu.Options{StateFile: path})
	t.Cleanup(again.Close)
	var jerr *slackemu.JournalError
	if err := again.StateFileError(); err != nil && !errors.As(err, &jerr) {
		t.Fatalf("restart after kill -9: %v", err)
	}
	if _, ok := again.Channel(ch.ID); !ok {
		t.Fatal("the channel is gone after kill -9")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, ts := range answered {
		if _, ok := messageAt(again, ch.ID, ts); !ok {
			t.Errorf("message %s was answered but is gone after kill -9 (%d answered)", ts, len(answered))
		}
	}
}

// runCrashChild serves an emulator on the state file at path, prints its
// URL and waits to be killed.
func runCrashChild(path string) {
	srv := slackemu.New(slackemu.Options{StateFile: path, DisableRateLimits: true})
	if err := srv.Start("127.0.0.1:0"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(srv.URL())
	time.Sleep(time.Minute) // the parent kills it long before
	os.Exit(3)
}

// FuzzStateFileJournal: whatever batch follows the journal's real ones
// (framed with a good checksum, so that it reaches the emulator's own
// checks), the sandbox starts without panicking, loads it or reports a
// *JournalError, and what it loaded opens again cleanly to the same
// workspace.
func FuzzStateFileJournal(f *testing.F) {
	check := func(err error) {
		if err != nil {
			f.Fatal(err)
		}
	}
	path := filepath.Join(f.TempDir(), "seed.json")
	clock := newClock()
	srv := slackemu.NewTestServer(f, slackemu.Options{StateFile: path, Now: clock.Now})
	api := client(srv)
	ch, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-fuzz"})
	check(err)
	_, ts, err := api.PostMessage(ch.ID, slack.MsgOptionText("Kickoff", false))
	check(err)
	check(api.AddReaction("eyes", slack.ItemRef{Channel: ch.ID, Timestamp: ts}))
	snapshot, err := os.ReadFile(path)
	check(err)
	journal, err := os.ReadFile(path + statefile.JournalSuffix)
	check(err)
	for _, line := range strings.SplitAfter(string(journal), "\n")[1:] {
		if body, ok := strings.CutSuffix(line, "\n"); ok && len(body) > 9 {
			f.Add([]byte(body[9:])) // the real batches, one at a time
		}
	}
	f.Add([]byte(`[{"k":"message/C0GENERAL/1700000000.000009","v":{"TS":"1700000000.000009","Text":"late"}}]`))
	f.Add([]byte(`[{"k":"channel/C9","v":{"id":"C9","name":"x","members":[]}},{"k":"message/C9/1.000001","v":{"TS":"1.000001"}}]`))
	f.Add([]byte(`[{"k":"user/","v":{"ID":""}}]`))
	f.Add([]byte(`[{"k":"view/V1"}]`))
	f.Fuzz(func(t *testing.T, batch []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "slack-sandbox.json")
		must(t, os.WriteFile(p, snapshot, 0o600))
		framed := fmt.Appendf(append([]byte(nil), journal...), "%08x %s\n", crc32.Checksum(batch, crc32.MakeTable(crc32.Castagnoli)), batch)
		must(t, os.WriteFile(p+statefile.JournalSuffix, framed, 0o600))
		first := slackemu.New(slackemu.Options{StateFile: p, Now: clock.Now})
		var jerr *slackemu.JournalError
		if err := first.StateFileError(); err != nil && !errors.As(err, &jerr) {
			t.Fatalf("a bad journal lost the whole state: %v", err)
		}
		loaded := first.Snapshot()
		first.Close()
		again := slackemu.New(slackemu.Options{StateFile: p, Now: clock.Now})
		defer again.Close()
		if err := again.StateFileError(); err != nil {
			t.Fatalf("what was loaded does not load again: %v", err)
		}
		if !reflect.DeepEqual(again.Snapshot(), loaded) {
			t.Errorf("reloaded %+v\nwant %+v", again.Snapshot(), loaded)
		}
	})
}
