package githubemu

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

func (s *Server) handleComment(x *req) {
	var in struct {
		Body *string `json:"body"`
	}
	if !decodeBody(x, &in) {
		return
	}
	s.withIssue(x, func(r *repoState, is *issueState) {
		switch {
		case in.Body == nil || strings.TrimSpace(*in.Body) == "":
			writeValidation(x.w, docsRoot+"/issues/comments#create-an-issue-comment",
				[]fieldError{{Resource: "IssueComment", Code: "missing_field", Field: "body"}})
			return
		case utf8.RuneCountInString(*in.Body) > bodyMaxChars:
			writeValidation(x.w, docsRoot+"/issues/comments#create-an-issue-comment",
				[]fieldError{tooLong("IssueComment", "body", bodyMaxChars)})
			return
		}
		now := s.now()
		c := &commentState{id: s.newID(), user: x.login, body: *in.Body, createdAt: now}
		is.comments = append(is.comments, c)
		is.updatedAt = now
		s.changedIssue(r, is)
		out := x.bases().comment(r, is, c)
		x.w.Header().Set("Location", out.URL)
		writeJSON(x.w, http.StatusCreated, out)
	})
}

func (s *Server) handleComments(x *req) {
	s.withIssue(x, func(r *repoState, is *issueState) {
		writeJSON(x.w, http.StatusOK, onePage(x, is.comments, func(c *commentState) apiComment { return x.bases().comment(r, is, c) }))
	})
}

// handleAddLabels serves POST /repos/{o}/{r}/issues/{n}/labels, whose body is
// a JSON array of names (what go-github sends) or {"labels": [...]}.
func (s *Server) handleAddLabels(x *req) {
	data, err := io.ReadAll(x.r.Body)
	var names labelList
	if err == nil {
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
			var obj struct{ Labels labelList }
			err = json.Unmarshal(data, &obj)
			names = obj.Labels
		} else {
			err = json.Unmarshal(data, &names)
		}
	}
	if err != nil {
		writeError(x.w, http.StatusBadRequest, "Problems parsing JSON", docsRoot)
		return
	}
	s.withIssue(x, func(r *repoState, is *issueState) {
		add, errs := s.checkLabels(r, names, nil)
		if len(errs) > 0 {
			writeValidation(x.w, docsRoot+"/issues/labels#add-labels-to-an-issue", errs)
			return
		}
		for _, name := range s.applyLabels(r, add) {
			if !is.hasLabel(name) {
				is.labels = append(is.labels, name)
			}
		}
		is.updatedAt = s.now()
		s.changedIssue(r, is)
		out := []apiLabel{}
		for _, name := range is.labels {
			out = append(out, x.bases().label(r, r.labels[strings.ToLower(name)]))
		}
		writeJSON(x.w, http.StatusOK, out)
	})
}

func (s *Server) handleLabels(x *req) {
	s.withRepo(x, func(r *repoState) {
		writeJSON(x.w, http.StatusOK, onePage(x, r.labelOrder, func(key string) apiLabel { return x.bases().label(r, r.labels[key]) }))
	})
}

func (s *Server) handleCreateLabel(x *req) {
	var in struct {
		Name, Color, Description string
	}
	if !decodeBody(x, &in) {
		return
	}
	const doc = docsRoot + "/issues/labels#create-a-label"
	s.withRepo(x, func(r *repoState) {
		switch {
		case strings.TrimSpace(in.Name) == "":
			writeValidation(x.w, doc, []fieldError{{Resource: "Label", Code: "missing_field", Field: "name"}})
			return
		case r.labels[strings.ToLower(strings.TrimSpace(in.Name))] != nil:
			writeValidation(x.w, doc, []fieldError{{Resource: "Label", Code: "already_exists", Field: "name"}})
			return
		}
		l := r.addLabel(s, strings.TrimSpace(in.Name), strings.TrimPrefix(in.Color, "#"), in.Description)
		writeJSON(x.w, http.StatusCreated, x.bases().label(r, l))
	})
}

func (s *Server) handleRepo(x *req) {
	s.withRepo(x, func(r *repoState) {
		writeJSON(x.w, http.StatusOK, x.bases().repo(r))
	})
}

func (s *Server) handleUser(x *req) {
	u := x.bases().user(x.login)
	u.Name = x.login
	writeJSON(x.w, http.StatusOK, u)
}

// handleRateLimit serves GET /rate_limit, which spends no rate limit.
func (s *Server) handleRateLimit(x *req) {
	type rate struct {
		Limit     int    `json:"limit"`
		Remaining int    `json:"remaining"`
		Reset     int64  `json:"reset"`
		Used      int    `json:"used"`
		Resource  string `json:"resource"`
	}
	s.mu.Lock()
	res := map[string]rate{}
	for _, name := range []string{"core", "search"} {
		b := s.bucketLocked(x.login, name)
		res[name] = rate{b.limit, b.limit - b.used, b.reset().Unix(), b.used, name}
	}
	s.mu.Unlock()
	writeJSON(x.w, http.StatusOK, map[string]any{"resources": res, "rate": res["core"]})
}
