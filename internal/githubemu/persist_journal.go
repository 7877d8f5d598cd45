package githubemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/incidentflow/incidentflow/internal/statefile"
)

// The records of the journal: "repo/<owner>/<name>" (a repository and its
// labels, without its issues), "issue/<owner>/<name>/<number>" (an issue
// with its comments), both with the lower-case name, and "meta" (the ID
// counter).
const (
	recMeta  = "meta"
	recRepo  = "repo/"
	recIssue = "issue/"
)

// savedMeta is the "meta" record.
type savedMeta struct {
	NextID int64 `json:"next_id"`
}

// changedRepo records a change of r itself: new, or a new label (s.mu held).
func (s *Server) changedRepo(r *repoState) { s.pending.Add(recRepo + r.key()) }

// changedIssue records a change of an issue of r: new, edited or commented
// on (s.mu held).
func (s *Server) changedIssue(r *repoState, is *issueState) {
	s.pending.Add(recIssue + r.key() + "/" + strconv.Itoa(is.number))
}

// key is how s.repos names r.
func (r *repoState) key() string { return strings.ToLower(r.fullName()) }

// commitLocked writes what changed since the last commit to the state file
// and syncs it (s.mu held): call it before answering, so that whatever was
// answered is on disk. Without a state file it only forgets the changes. On
// failure the changes stay pending for the next commit.
func (s *Server) commitLocked() error {
	if s.nextID != s.committedID {
		s.pending.Add(recMeta)
	}
	if s.journal == nil || s.pending.Len() == 0 {
		s.pending.Clear()
		s.committedID = s.nextID
		return nil
	}
	if _, err := s.journal.Commit(&s.pending, s.recordLocked); err != nil {
		return err
	}
	s.committedID = s.nextID
	return nil
}

// recordLocked returns what the state file keeps of the record key.
func (s *Server) recordLocked(key string) (any, error) {
	if key == recMeta {
		return savedMeta{NextID: s.nextID}, nil
	}
	if rest, ok := strings.CutPrefix(key, recRepo); ok {
		if r := s.repos[rest]; r != nil {
			return saveRepo(r), nil
		}
	}
	if repo, n, ok := issueKey(key); ok {
		if r := s.repos[repo]; r != nil && r.issue(n) != nil {
			return saveIssue(r.issue(n)), nil
		}
	}
	return nil, errors.New("changed, but not in the sandbox")
}

// issueKey splits the key of an issue record into the repository's key and
// the issue's number.
func issueKey(key string) (string, int, bool) {
	rest, ok := strings.CutPrefix(key, recIssue)
	i := strings.LastIndexByte(rest, '/')
	if !ok || i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(rest[i+1:])
	return rest[:i], n, err == nil && n > 0
}

// applyChangesLocked applies a batch of the journal. It decodes and checks
// the whole batch first, so a batch it refuses changes nothing.
func (s *Server) applyChangesLocked(batch []statefile.Change) error {
	var ops []func()
	issues := map[string]int{} // issues per repository once the batch is applied
	count := func(key string) int {
		if n, ok := issues[key]; ok {
			return n
		}
		if r := s.repos[key]; r != nil {
			return len(r.issues)
		}
		return -1 // no such repository
	}
	for _, c := range batch {
		op, err := s.decodeChange(c, count, issues)
		if err != nil {
			return fmt.Errorf("record %q: %w", c.Key, err)
		}
		ops = append(ops, op)
	}
	for _, op := range ops {
		op()
	}
	s.pending.Clear() // what was read is on disk
	s.committedID = s.nextID
	return nil
}

// decodeChange decodes one change and returns what applies it; count and
// issues keep track of the issues each repository will have.
func (s *Server) decodeChange(c statefile.Change, count func(string) int, issues map[string]int) (func(), error) {
	if c.Removed() {
		return nil, errors.New("records of the GitHub sandbox are never removed")
	}
	if c.Key == recMeta {
		var m savedMeta
		if err := json.Unmarshal(c.Value, &m); err != nil || m.NextID < 0 {
			return nil, fmt.Errorf("not a counter: %s", c.Value)
		}
		return func() { s.nextID = max(s.nextID, m.NextID) }, nil
	}
	if key, ok := strings.CutPrefix(c.Key, recRepo); ok {
		var sr savedRepo
		if err := json.Unmarshal(c.Value, &sr); err != nil {
			return nil, err
		}
		if sr.Owner == "" || sr.Name == "" || strings.ToLower(sr.Owner+"/"+sr.Name) != key {
			return nil, errors.New("its value is not the repository its key names")
		}
		r := &repoState{}
		if err := r.restore(sr); err != nil {
			return nil, err
		}
		if count(key) < 0 {
			issues[key] = 0
		}
		return func() {
			if old := s.repos[key]; old != nil {
				r.issues = old.issues
			}
			s.repos[key] = r
		}, nil
	}
	key, n, ok := issueKey(c.Key)
	if !ok {
		return nil, errors.New("unknown kind of record")
	}
	var si savedIssue
	if err := json.Unmarshal(c.Value, &si); err != nil {
		return nil, err
	}
	is, err := restoreIssue(si)
	switch have := count(key); {
	case err != nil:
		return nil, err
	case si.Number != n:
		return nil, errors.New("its value is not the issue its key names")
	case have < 0:
		return nil, fmt.Errorf("no repository %s", key)
	case n > have+1:
		return nil, fmt.Errorf("issue #%d after #%d", n, have)
	case n == have+1:
		issues[key] = n
	}
	return func() {
		r := s.repos[key]
		if n > len(r.issues) {
			r.issues = append(r.issues, is)
		} else {
			r.issues[n-1] = is
		}
	}, nil
}
