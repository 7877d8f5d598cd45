package slackemu_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// playApp is a tiny app behind a front door that records the commands it
// gets: "/incident declare T" opens a
// declare modal, "/incident help" answers text; a submission whose title
// says "bad" is refused with response_action errors, a good one posts a
// message with a Resolve button; clicks are recorded.
type playApp struct {
	t   *testing.T
	api *slack.Client

	mu          sync.Mutex
	commands    []string // the texts of the slash commands, as sent
	submissions []slack.InteractionCallback
	clicks      []slack.InteractionCallback
}

func (a *playApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	sv, err := slack.NewSecretsVerifier(r.Header, secret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	form, _ := url.ParseQuery(string(body))
	switch r.URL.Path {
	case "/slack/commands":
		a.mu.Lock()
		a.commands = append(a.commands, form.Get("text"))
		a.mu.Unlock()
		verb, rest, _ := strings.Cut(form.Get("text"), " ")
		if verb != "declare" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"text":"Try <https://example.com/help|the help> or *declare*, <@`+form.Get("user_id")+`>"}`)
			return
		}
		_, err := a.api.OpenView(form.Get("trigger_id"), playModal(html.UnescapeString(rest))) // Slack sends & < > as entities
		if err != nil {
			a.t.Errorf("views.open: %v", err)
		}
	case "/slack/interactions":
		var ic slack.InteractionCallback
		if err := json.Unmarshal([]byte(form.Get("payload")), &ic); err != nil {
			a.t.Errorf("payload: %v", err)
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		switch ic.Type {
		case slack.InteractionTypeViewSubmission:
			a.submissions = append(a.submissions, ic)
			title := ic.View.State.Values["title"]["title"].Value
			if strings.Contains(title, "bad") {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"response_action":"errors","errors":{"title":"Titles can't say <bad>"}}`)
				return
			}
			btn := slack.NewButtonBlockElement("resolve", "inc-1", plainText("Resolve"))
			btn.Style = slack.StyleDanger
			_, _, err := a.api.PostMessage(slackemu.IncidentsChannelID, slack.MsgOptionText("Declared: "+title, false),
				slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Declared:* "+title, false, false), nil, nil),
					slack.NewActionBlock("controls", btn)))
			if err != nil {
				a.t.Errorf("chat.postMessage: %v", err)
			}
		case slack.InteractionTypeBlockActions:
			a.clicks = append(a.clicks, ic)
		}
	}
}

// playModal has one input of each kind the page plays.
func playModal(title string) slack.ModalViewRequest {
	titleEl := slack.NewPlainTextInputBlockElement(plainText("What is broken"), "title")
	titleEl.InitialValue = title
	titleEl.MaxLength = 150
	sev := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("How bad?"), "severity",
		slack.NewOptionBlockObject("critical", plainText("CRITICAL"), nil), slack.NewOptionBlockObject("major", plainText("MAJOR"), nil))
	commander := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plainText("Pick a person"), "commander")
	commander.InitialUser = slackemu.UserBob
	security := slack.NewCheckboxGroupsBlockElement("security",
		slack.NewOptionBlockObject("security", slack.NewTextBlockObject(slack.MarkdownType, "*Security incident*", false, false), nil))
	next := slack.NewNumberInputBlockElement(plainText("Minutes"), "next", false)
	next.MinValue, next.MaxValue = "1", "1440"
	due := slack.NewDatePickerBlockElement("due")
	input := func(id, label string, el slack.BlockElement, optional bool) *slack.InputBlock {
		b := slack.NewInputBlock(id, plainText(label), nil, el)
		b.Optional = optional
		return b
	}
	return slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "incident_declare", Title: plainText("Declare an incident"),
		Submit: plainText("Declare"), Close: plainText("Cancel"), Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewHeaderBlock(plainText("New incident")),
			input("title", "Title", titleEl, false), input("severity", "Severity", sev, false),
			input("commander", "Commander", commander, true), input("security", "Security", security, true),
			input("next", "Next update in", next, true), input("due", "Due", due, true),
		}}}
}

// browser plays a person on the page: it keeps the CSRF token and follows
// the redirects back to the page.
type browser struct {
	t     *testing.T
	base  string
	token string
	page  string
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
	viewField = regexp.MustCompile(`name="view" value="([^"]+)"><input type="hidden" name="hash" value="([^"]+)"`)
)

// get loads the page.
func (b *browser) get(query string) string {
	b.t.Helper()
	resp, err := http.Get(b.base + "/?" + query)
	must(b.t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.page = string(body)
	if !strings.HasSuffix(strings.TrimSpace(b.page), "</html>") {
		b.t.Fatalf("the page is cut short (template error?):\n%s", b.page)
	}
	if m := csrfField.FindStringSubmatch(b.page); m != nil {
		b.token = m[1]
	}
	return b.page
}

// post submits a form of the page and returns the page it lands on.
func (b *browser) post(path string, form url.Values) string {
	b.t.Helper()
	if form.Get("csrf") == "" {
		form.Set("csrf", b.token)
	}
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	must(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	resp, err := http.DefaultClient.Do(req)
	must(b.t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("POST %s: %d %s", path, resp.StatusCode, body)
	}
	b.page = string(body)
	if !strings.HasSuffix(strings.TrimSpace(b.page), "</html>") {
		b.t.Fatalf("the page is cut short (template error?):\n%s", b.page)
	}
	return b.page
}

// modal returns the ID and hash of the modal on the page.
func (b *browser) modal() (id, hash string) {
	b.t.Helper()
	m := viewField.FindStringSubmatch(b.page)
	if m == nil {
		b.t.Fatalf("no modal on the page:\n%s", b.page)
	}
	return m[1], html.UnescapeString(m[2])
}

func TestPagePlaysSlack(t *testing.T) {
	srv := slackemu.NewTestServer(t, slackemu.Options{})
	app := &playApp{t: t, api: client(srv)}
	door := httptest.NewServer(app)
	t.Cleanup(door.Close)
	srv.SetFrontDoor(door.URL, secret)
	b := &browser{t: t, base: srv.URL()}
	b.get("")

	// A command with an immediate answer shows it, links and mentions rendered.
	page := b.post("/_emu/act/command", url.Values{"user": {slackemu.UserBob}, "channel": {slackemu.IncidentsChannelID},
		"command": {"/incident"}, "text": {"help"}})
	for _, want := range []string{`<a href="https://example.com/help">the help</a>`, `<span class="mention">@bob</span>`, "only visible to you"} {
		if !strings.Contains(page, want) {
			t.Errorf("the answer to help lacks %q", want)
		}
	}

	// /incident declare opens the modal as a form, prefilled.
	page = b.post("/_emu/act/command", url.Values{"user": {slackemu.UserBob}, "channel": {slackemu.IncidentsChannelID},
		"command": {"/incident"}, "text": {"declare Checkout <b>down</b>"}})
	for _, want := range []string{`class="modal"`, "Declare an incident", `value="Checkout &lt;b&gt;down&lt;/b&gt;"`,
		`<option value="major">MAJOR</option>`, `<option value="U0BOB" selected>@bob (Bob Brown)</option>`,
		`name="in4" value="security"`, `placeholder="YYYY-MM-DD"`, "the app opened a modal"} {
		if !strings.Contains(page, want) {
			t.Errorf("the modal form lacks %q", want)
		}
	}
	if strings.Contains(page, "<b>down</b>") {
		t.Error("the modal does not escape the title")
	}
	id, hash := b.modal()
	fields := func(title string) url.Values {
		return url.Values{"as": {slackemu.UserBob}, "channel": {slackemu.IncidentsChannelID}, "view": {id}, "hash": {hash},
			"in1": {title}, "in2": {"major"}, "in3": {slackemu.UserCarol}, "in4": {"security"}, "in5": {"15"}}
	}

	// What Slack's client refuses never reaches the app.
	bad := fields("")
	bad.Set("in5", "1.5")
	page = b.post("/_emu/act/submit", bad)
	for _, want := range []string{"Please complete this required field.", "Enter a whole number."} {
		if !strings.Contains(page, want) {
			t.Errorf("local validation lacks %q", want)
		}
	}
	// The app's response_action errors show next to the input, typed values kept.
	page = b.post("/_emu/act/submit", fields("a bad title"))
	if !strings.Contains(page, "Titles can&#39;t say &lt;bad&gt;") || !strings.Contains(page, `value="a bad title"`) {
		t.Errorf("the app's error is not shown:\n%s", page)
	}
	if v, _ := srv.View(id); !v.Open {
		t.Fatal("a refused submission closed the modal")
	}
	// A valid submission closes the modal; the app got every value.
	page = b.post("/_emu/act/submit", fields("Checkout is down"))
	if strings.Contains(page, `class="modal"`) || !strings.Contains(page, "the modal closed") {
		t.Errorf("the modal is still open:\n%s", page)
	}
	app.mu.Lock()
	if len(app.submissions) != 2 {
		t.Fatalf("the app got %d submissions, want 2", len(app.submissions))
	}
	vals := app.submissions[1].View.State.Values
	app.mu.Unlock()
	if vals["title"]["title"].Value != "Checkout is down" || vals["severity"]["severity"].SelectedOption.Value != "major" ||
		vals["commander"]["commander"].SelectedUser != slackemu.UserCarol ||
		len(vals["security"]["security"].SelectedOptions) != 1 || vals["next"]["next"].Value != "15" ||
		vals["due"]["due"].SelectedDate != "" {
		t.Errorf("submitted values = %+v", vals)
	}

	// The message the app posted has a button; clicking it reaches the app.
	if !strings.Contains(page, "<b>Declared:</b>") && !strings.Contains(page, "*Declared:*") {
		t.Errorf("the posted message is not shown:\n%s", page)
	}
	msgs := srv.Messages(slackemu.IncidentsChannelID)
	posted := msgs[len(msgs)-1]
	if !strings.Contains(page, `name="ts" value="`+posted.TS+`"><input type="hidden" name="action" value="resolve">`) ||
		!strings.Contains(page, `<button class="danger">Resolve</button>`) {
		t.Fatalf("no Resolve button on the page:\n%s", page)
	}
	b.post("/_emu/act/click", url.Values{"as": {slackemu.UserCarol}, "channel": {slackemu.IncidentsChannelID},
		"ts": {posted.TS}, "action": {"resolve"}, "label": {"Resolve"}})
	app.mu.Lock()
	if len(app.clicks) != 1 || app.clicks[0].User.ID != slackemu.UserCarol || app.clicks[0].ActionCallback.BlockActions[0].Value != "inc-1" {
		t.Errorf("clicks = %+v", app.clicks)
	}
	app.mu.Unlock()
}

func TestPageModalCancel(t *testing.T) {
	srv := slackemu.NewTestServer(t, slackemu.Options{})
	door := httptest.NewServer(&playApp{t: t, api: client(srv)})
	t.Cleanup(door.Close)
	srv.SetFrontDoor(door.URL, secret)
	b := &browser{t: t, base: srv.URL()}
	b.get("")
	b.post("/_emu/act/command", url.Values{"user": {slackemu.UserAlice}, "channel": {slackemu.GeneralChannelID},
		"command": {"/incident"}, "text": {"declare x"}})
	id, _ := b.modal()
	if strings.Contains(b.get("as="+slackemu.UserBob), `class="modal"`) {
		t.Error("Bob sees Alice's modal")
	}
	page := b.post("/_emu/act/close", url.Values{"as": {slackemu.UserAlice}, "view": {id}})
	if v, _ := srv.View(id); v.Open || strings.Contains(page, `class="modal"`) {
		t.Error("Cancel did not close the modal")
	}
}

func TestPageForgedPosts(t *testing.T) {
	srv := slackemu.NewTestServer(t, slackemu.Options{})
	b := &browser{t: t, base: srv.URL()}
	b.get("")
	form := url.Values{"user": {slackemu.UserAlice}, "channel": {slackemu.IncidentsChannelID}, "command": {"/incident"}, "text": {"help"}}
	for name, tc := range map[string]struct{ token, origin string }{
		"no token":      {"", ""},
		"wrong token":   {"0123456789abcdef0123456789abcdef", ""},
		"other origin":  {b.token, "https://evil.example"},
		"other referer": {b.token, ""},
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/_emu/act/command", nil)
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("csrf", tc.token)
		req.Body = io.NopCloser(strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		if name == "other referer" {
			req.Header.Set("Referer", "https://evil.example/page")
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, resp.StatusCode)
		}
	}
	if len(srv.Ephemerals("", "")) != 0 {
		t.Error("a forged post did something")
	}
	// Without a front door the page says so instead of failing silently.
	page := b.post("/_emu/act/command", form)
	if !strings.Contains(page, "no front door") {
		t.Errorf("no hint about the missing front door:\n%s", page)
	}
}

func TestPageChannelView(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{})
	ch, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-page"})
	must(t, err)
	_, err = api.InviteUsersToConversation(ch.ID, slackemu.UserBob)
	must(t, err)
	_, err = api.SetTopicOfConversation(ch.ID, "SEV2 <script>alert(1)</script>")
	must(t, err)
	_, root, err := api.PostMessage(ch.ID, slack.MsgOptionText("Kickoff for <@U0BOB> in <#C0INCIDENTS|incidents>", false))
	must(t, err)
	must(t, api.AddPin(ch.ID, slack.ItemRef{Channel: ch.ID, Timestamp: root}))
	_, err = srv.PostAs(ch.ID, slackemu.UserBob, `<script>alert("x")</script> rolled back`, root)
	must(t, err)
	_, err = api.AddBookmark(ch.ID, slack.AddBookmarkParameters{Title: "Runbook", Type: "link", Link: "https://wiki.example.com/rb"})
	must(t, err)
	_, _, err = api.PostMessage(ch.ID, slack.MsgOptionText(":white_check_mark: *Resolved* in `deploy_v2` by snake_case_person &lt;b&gt;", false))
	must(t, err)

	b := &browser{t: t, base: srv.URL()}
	page := b.get("channel=" + ch.ID)
	for _, want := range []string{"#inc-page", "Topic: SEV2 &lt;script&gt;alert(1)&lt;/script&gt;", "@bob", "@incidentflow",
		`<span class="mention">@bob</span>`, `<span class="mention">#incidents</span>`, `class="replies"`,
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; rolled back", `<a href="https://wiki.example.com/rb">Runbook</a>`,
		"📌 Pinned", `href="#m-` + ch.ID + `-` + root + `"`,
		"✅ <b>Resolved</b> in <code>deploy_v2</code> by snake_case_person &lt;b&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("channel page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>alert") {
		t.Error("the page does not escape user text")
	}
	if !strings.Contains(b.get("channel=C0NOPE"), "There is no channel C0NOPE") {
		t.Error("an unknown channel is not reported")
	}
}
