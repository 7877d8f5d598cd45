package slackemu

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// playTimeout bounds one delivery from the page to the front door.
const playTimeout = 15 * time.Second

// maxPlayResults is how many outcomes of the page's forms are remembered.
const maxPlayResults = 20

// playState is what the page's forms keep between requests, guarded by s.mu.
// None of it is persisted: it only makes sense to the browser of this run.
type playState struct {
	token   string                  // CSRF token every form carries
	results []playResult            // newest last
	pending map[string]*pendingView // view ID → the last refused submission
}

// init mints the CSRF token.
func (p *playState) init() {
	p.token = randomHex(16)
	p.pending = map[string]*pendingView{}
}

// playResult is the outcome of one command, click or submission.
type playResult struct {
	At      string
	User    string
	What    string
	Outcome string
	Failed  bool
}

// pendingView is a submission that did not close its modal: what was typed
// and the errors to show next to the inputs.
type pendingView struct {
	hash    string
	values  url.Values
	errors  map[string]string // by block_id
	general string
}

// playRoutes registers the page's POST endpoints. They exist only on the
// emulator, which only tests and `incidentflow dev` run.
func (s *Server) playRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /_emu/act/command", s.guard(s.playCommand))
	mux.HandleFunc("POST /_emu/act/submit", s.guard(s.playSubmit))
	mux.HandleFunc("POST /_emu/act/close", s.guard(s.playClose))
	mux.HandleFunc("POST /_emu/act/click", s.guard(s.playClick))
	mux.HandleFunc("POST /_emu/act/message", s.guard(s.playMessage))
	mux.HandleFunc("POST /_emu/act/post", s.guard(s.playPost))
}

// guard checks a form post: at most 1 MB, from a page of this emulator
// (Origin or Referer, when the browser sends one, names this host) and with
// this process's token.
func (s *Server) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(s.play.token)) != 1 {
			http.Error(w, "This form is stale or from another site: reload the sandbox page and try again.", http.StatusForbidden)
			return
		}
		next(w, r)
	}
}

// sameOrigin reports whether the request's Origin (or, without one, its
// Referer) is this host; requests with neither pass, the token decides.
func sameOrigin(r *http.Request) bool {
	from := r.Header.Get("Origin")
	if from == "" || from == "null" {
		from = r.Header.Get("Referer")
	}
	if from == "" {
		return true
	}
	u, err := url.Parse(from)
	return err == nil && u.Host == r.Host
}

// back redirects to the page of a channel as a person.
func back(w http.ResponseWriter, r *http.Request, channelID, as, anchor string) {
	q := url.Values{}
	if channelID != "" {
		q.Set("channel", channelID)
	}
	if as != "" {
		q.Set("as", as)
	}
	target := "/?" + q.Encode()
	if anchor != "" {
		target += "#" + anchor
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// addResultLocked remembers an outcome (s.mu held).
func (s *Server) addResultLocked(r playResult) {
	r.At = s.now().UTC().Format("15:04:05")
	s.play.results = append(s.play.results, r)
	if n := len(s.play.results); n > maxPlayResults {
		s.play.results = append([]playResult(nil), s.play.results[n-maxPlayResults:]...)
	}
}

// addResult is addResultLocked taking s.mu.
func (s *Server) addResult(r playResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addResultLocked(r)
}

// outcome describes the app's answer to a delivery; views is how many views
// existed before it, to tell that a modal opened.
func (s *Server) outcome(res *playResult, rep *Reply, err error, views int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case errors.Is(err, ErrNoFrontDoor):
		res.Failed, res.Outcome = true, "no app to send it to: the sandbox has no front door (incidentflow dev sets one)"
	case err != nil:
		res.Failed, res.Outcome = true, "could not reach the app: "+err.Error()
	case rep.Status != http.StatusOK:
		res.Failed, res.Outcome = true, fmt.Sprintf("the app answered HTTP %d: %s", rep.Status, clip(strings.TrimSpace(string(rep.Body)), 300))
	default:
		var parts []string
		if len(s.st.views) > views {
			parts = append(parts, "the app opened a modal")
		}
		if replyText(rep) != "" {
			parts = append(parts, "the app answered in the channel (only you can see it)")
		}
		if len(parts) == 0 {
			parts = append(parts, "the app acknowledged it")
		}
		if rep.Late {
			parts = append(parts, fmt.Sprintf("but after %s: Slack gives up after 3 s", rep.Elapsed.Round(time.Millisecond)))
		}
		res.Outcome = strings.Join(parts, ", ")
	}
}

// replyText is the text of an immediate answer.
func replyText(rep *Reply) string {
	if rep.JSON != nil {
		t, _ := rep.JSON["text"].(string)
		return t
	}
	return strings.TrimSpace(string(rep.Body))
}

// typedText encodes what a person typed in the composer as Slack's client
// sends it: & < > as entities, except the user mentions the @ picker put
// in (<@U…|name> naming a member), which stay markup. A mention typed by
// hand is text, as in Slack.
func (s *Server) typedText(typed string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for typed != "" {
		i := strings.Index(typed, "<@")
		if i < 0 {
			break
		}
		b.WriteString(mrkdwnEscaper.Replace(typed[:i]))
		typed = typed[i:]
		end := strings.IndexByte(typed, '>')
		id, _, _ := strings.Cut(typed[2:max(end, 2)], "|")
		if end < 0 || s.st.usersByID[id] == nil {
			b.WriteString("&lt;")
			typed = typed[1:]
			continue
		}
		b.WriteString(typed[:end+1])
		typed = typed[end+1:]
	}
	b.WriteString(mrkdwnEscaper.Replace(typed))
	return b.String()
}

// mrkdwnEscaper writes the three characters Slack sends as entities.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// clip shortens s to n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// viewCount returns how many views exist.
func (s *Server) viewCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.views)
}

// playCommand handles POST /_emu/act/command: a person runs a slash command
// in a channel; the page then shows the answer and any modal it opened.
func (s *Server) playCommand(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	user, channelID, command, typed := f.Get("user"), f.Get("channel"), f.Get("command"), strings.TrimSpace(f.Get("text"))
	res := playResult{User: user, What: command + " " + typed}
	text := s.typedText(typed)
	if command != "/incident" && command != "/closeincident" {
		res.Failed, res.Outcome = true, "unknown command"
		s.addResult(res)
		back(w, r, channelID, user, "play")
		return
	}
	s.deliver(w, r, res, channelID, func(ctx context.Context) (*Reply, error) {
		return s.SlashCommand(ctx, SlashCommand{Command: command, Text: text, UserID: user, ChannelID: channelID})
	})
}

// playPost handles POST /_emu/act/post: a person sends the composer's text
// as a plain message in the channel (for the app: a message event), so
// that a war room has something to mark.
func (s *Server) playPost(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	user, channelID, typed := f.Get("user"), f.Get("channel"), strings.TrimSpace(f.Get("text"))
	res := playResult{User: user, What: "said “" + clip(typed, 40) + "”"}
	if _, err := s.PostAs(channelID, user, s.typedText(typed), ""); err != nil {
		res.Failed, res.Outcome = true, "Slack refused it: "+err.Error()
	} else {
		res.Outcome = "posted"
	}
	s.addResult(res)
	back(w, r, channelID, user, "play")
}

// playClick handles POST /_emu/act/click: a person clicks a button of a message.
func (s *Server) playClick(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	as, channelID, ts := f.Get("as"), f.Get("channel"), f.Get("ts")
	res := playResult{User: as, What: "clicked “" + clip(f.Get("label"), 40) + "”"}
	s.deliver(w, r, res, channelID, func(ctx context.Context) (*Reply, error) {
		return s.ClickButton(ctx, channelID, ts, f.Get("action"), "", as)
	})
}

// deliver sends what res.User did to the app (send), records the outcome in
// res and takes the person back to the page.
func (s *Server) deliver(w http.ResponseWriter, r *http.Request, res playResult, channelID string, send func(context.Context) (*Reply, error)) {
	ctx, cancel := context.WithTimeout(r.Context(), playTimeout)
	defer cancel()
	views := s.viewCount()
	rep, err := send(ctx)
	s.outcome(&res, rep, err, views)
	s.addResult(res)
	back(w, r, channelID, res.User, "play")
}

// playSubmit handles POST /_emu/act/submit: a person submits a modal. What
// Slack's client would refuse (a required input left empty, a bad number)
// is shown without sending; errors the app answers are shown next to their
// inputs; otherwise the modal closes, updates or pushes as the app says.
func (s *Server) playSubmit(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	as, channelID, viewID := f.Get("as"), f.Get("channel"), f.Get("view")
	s.mu.Lock()
	v := s.st.viewByID[viewID]
	if v == nil || v.Type != "modal" || !v.Open || v.UserID != as {
		s.addResultLocked(playResult{User: as, What: "submitted a modal", Failed: true, Outcome: "that modal is no longer open"})
		s.mu.Unlock()
		back(w, r, channelID, as, "play")
		return
	}
	title := textOf(v.Title)
	if f.Get("hash") != v.Hash {
		s.addResultLocked(playResult{User: as, What: "submitted “" + title + "”", Failed: true,
			Outcome: "the app changed the modal while you were typing: here is the new one"})
		s.mu.Unlock()
		back(w, r, channelID, as, "modal")
		return
	}
	values, errs := modalValues(v, s.pickListsLocked(), f)
	typed := url.Values{}
	for k, vs := range f {
		if strings.HasPrefix(k, "in") {
			typed[k] = vs
		}
	}
	if len(errs) > 0 {
		s.play.pending[viewID] = &pendingView{hash: v.Hash, values: typed, errors: errs}
		s.mu.Unlock()
		back(w, r, channelID, as, "modal")
		return
	}
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(r.Context(), playTimeout)
	defer cancel()
	rep, err := s.SubmitView(ctx, viewID, as, values)

	s.mu.Lock()
	defer s.mu.Unlock()
	res := playResult{User: as, What: "submitted “" + title + "”"}
	p := &pendingView{hash: v.Hash, values: typed}
	switch {
	case err != nil:
		p.general = "Could not reach the app: " + err.Error()
	case rep.Status != http.StatusOK:
		p.general = fmt.Sprintf("The app answered HTTP %d: %s", rep.Status, clip(string(rep.Body), 300))
	case rep.ResponseAction == "errors":
		p.errors = rep.Errors
		if len(p.errors) == 0 {
			p.general = "The app refused the submission without saying why."
		}
	default:
		delete(s.play.pending, viewID)
		switch rep.ResponseAction {
		case "update":
			res.Outcome = "the app updated the modal"
		case "push":
			res.Outcome = "the app opened another modal on top"
		default:
			res.Outcome = "the modal closed"
		}
		if rep.Late {
			res.Outcome += fmt.Sprintf(", but after %s: Slack gives up after 3 s", rep.Elapsed.Round(time.Millisecond))
		}
		s.addResultLocked(res)
		back(w, r, channelID, as, "play")
		return
	}
	s.play.pending[viewID] = p
	back(w, r, channelID, as, "modal")
}

// playClose handles POST /_emu/act/close: Cancel closes a pushed view (back
// to the one under it) or, on the first view, the whole stack. The app is
// not told (no view_closed payloads).
func (s *Server) playClose(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	as, channelID, viewID := f.Get("as"), f.Get("channel"), f.Get("view")
	s.mu.Lock()
	if v := s.st.viewByID[viewID]; v != nil && v.Open && v.UserID == as {
		for _, x := range s.st.views {
			if x == v || (v.RootViewID == v.ID && x.RootViewID == v.ID) {
				x.Open = false
				s.st.changedView(x)
				delete(s.play.pending, x.ID)
			}
		}
	}
	err := s.commitLocked()
	s.mu.Unlock()
	if err != nil {
		writeCommitError(w, err)
		return
	}
	back(w, r, channelID, as, "play")
}
