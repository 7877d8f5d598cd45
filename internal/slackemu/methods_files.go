package slackemu

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// maxUpload bounds an uploaded file (Slack allows 1 GB; the emulator keeps files in memory).
const maxUpload = 64 << 20

// filesGetUploadURLExternal is files.getUploadURLExternal: it reserves a file ID
// and returns an upload URL on the emulator.
func filesGetUploadURLExternal(s *Server, rq *apiRequest) (obj, error) {
	name := rq.p.str("filename")
	if name == "" {
		return nil, errMessages("invalid_arguments", "missing required field: filename")
	}
	length, err := strconv.Atoi(rq.p.str("length"))
	if err != nil || length <= 0 {
		return nil, errMessages("invalid_arguments", "missing required field: length")
	}
	if length > maxUpload {
		return nil, errCode("file_too_large")
	}
	ext := strings.TrimPrefix(path.Ext(name), ".")
	mt := mime.TypeByExtension(path.Ext(name))
	if mt == "" {
		mt = "application/octet-stream"
	}
	if ext == "" {
		ext = "binary"
	}
	if st := rq.p.str("snippet_type"); st != "" {
		ext = st
	}
	f := &File{ID: s.st.newID("F"), Name: name, Title: name, Mimetype: mt, Filetype: ext, Size: length,
		User: BotUserID, AltText: rq.p.str("alt_txt"), Created: s.now()}
	s.st.putFile(f)
	s.st.changedFile(f)
	return obj{"upload_url": rq.base + "/_emu/upload/" + f.ID, "file_id": f.ID}, nil
}

// serveUpload receives the bytes of a file at its upload URL (multipart field
// "file", or the raw body) and answers "OK - <size>" as Slack does.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var content []byte
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, "bad multipart body", http.StatusBadRequest)
			return
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			if part.FormName() == "file" || part.FileName() != "" {
				content, err = io.ReadAll(io.LimitReader(part, maxUpload+1))
				if err != nil {
					http.Error(w, "read error", http.StatusBadRequest)
					return
				}
				break
			}
		}
	} else {
		var err error
		if content, err = io.ReadAll(io.LimitReader(r.Body, maxUpload+1)); err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
	}
	if len(content) > maxUpload {
		http.Error(w, "file too large", http.StatusRequestEntityTooLarge)
		return
	}
	s.mu.Lock()
	f := s.st.fileByID[id]
	if f != nil && !f.Completed {
		f.Content, f.Uploaded = content, true
		s.st.changedFile(f)
	}
	err := s.commitLocked()
	s.mu.Unlock()
	if err != nil {
		writeCommitError(w, err)
		return
	}
	if f == nil {
		http.Error(w, "file not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "OK - %d", len(content))
}

// filesCompleteUploadExternal is files.completeUploadExternal: it finishes the
// uploads and shares them to a channel (a message from the bot with the files).
func filesCompleteUploadExternal(s *Server, rq *apiRequest) (obj, error) {
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal(rq.p.jsonArg("files"), &list); err != nil || len(list) == 0 {
		return nil, errMessages("invalid_arguments", "missing required field: files")
	}
	var files []*File
	for _, it := range list {
		f := s.st.fileByID[it.ID]
		if f == nil || !f.Uploaded {
			return nil, errCode("file_not_found")
		}
		files = append(files, f)
	}
	chID := rq.p.str("channel_id")
	if chID == "" {
		if chs := rq.p.list("channels"); len(chs) > 0 {
			chID = chs[0]
		}
	}
	var ch *channel
	if chID != "" {
		var err error
		if ch, err = s.postTarget(chID); err != nil {
			return nil, err
		}
	}
	blocks, _, err := parseBlocks(rq.p.jsonArg("blocks"), maxMessageBlocks)
	if err != nil {
		return nil, err
	}
	out := []obj{}
	var ids []string
	for i, f := range files {
		if list[i].Title != "" {
			f.Title = list[i].Title
		}
		f.Completed = true
		f.InitialComment = rq.p.str("initial_comment")
		f.ThreadTS = rq.p.str("thread_ts")
		s.st.changedFile(f)
		ids = append(ids, f.ID)
		out = append(out, obj{"id": f.ID, "title": f.Title})
	}
	if ch != nil {
		m := &Message{Text: rq.p.str("initial_comment"), Blocks: blocks, Files: ids}
		s.postBotMessage(ch, m, rq.p.str("thread_ts"))
	}
	return obj{"files": out}, nil
}

// filesInfo is files.info.
func filesInfo(s *Server, rq *apiRequest) (obj, error) {
	f := s.st.fileByID[rq.p.str("file")]
	if f == nil || !f.Completed {
		return nil, errCode("file_not_found")
	}
	return obj{"file": s.fileJSON(f, rq.base), "comments": []obj{}, "paging": obj{"count": 0, "total": 0, "page": 1, "pages": 1},
		"response_metadata": obj{"next_cursor": ""}}, nil
}

// serveFile serves the content of a file (url_private); it needs the bot token.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	if tok := requestToken(r, params{form: r.URL.Query()}); tok != s.opts.BotToken {
		http.Error(w, "not authorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	f := s.st.fileByID[r.PathValue("id")]
	var content []byte
	var mt string
	if f != nil {
		content, mt = append([]byte(nil), f.Content...), f.Mimetype
	}
	s.mu.Unlock()
	if f == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", mt)
	_, _ = w.Write(content)
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
