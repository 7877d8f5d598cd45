package githubemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// stateFormat names the layout of the state file; a file with another
// format is refused (and moved aside) rather than half understood.
const stateFormat = "incidentflow-github-sandbox/1"

// savedState is the snapshot of the state file: repositories, labels,
// issues and comments, and the ID counter. Rate limits, faults and the call
// log are not kept. The journal beside it holds the changes made since,
// record by record (persist_journal.go).
type savedState struct {
	Format  string      `json:"format"`
	SavedAt time.Time   `json:"saved_at"`
	NextID  int64       `json:"next_id"`
	Repos   []savedRepo `json:"repos"`
}

// savedRepo is a repository in the state file.
type savedRepo struct {
	Owner  string       `json:"owner"`
	Name   string       `json:"name"`
	ID     int64        `json:"id"`
	Labels []savedLabel `json:"labels"`           // in creation order
	Issues []savedIssue `json:"issues,omitempty"` // by number, from 1; not in a repo record of the journal
}

// savedLabel is a label in the state file.
type savedLabel struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Color       string `json:"color"`
	Description string `json:"description,omitempty"`
}

// savedIssue is an issue in the state file.
type savedIssue struct {
	ID          int64          `json:"id"`
	Number      int            `json:"number"`
	Title       string         `json:"title"`
	Body        string         `json:"body"`
	Labels      []string       `json:"labels"`
	Assignees   []string       `json:"assignees"`
	State       string         `json:"state"`
	StateReason string         `json:"state_reason,omitempty"`
	User        string         `json:"user"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	ClosedAt    time.Time      `json:"closed_at"`
	ClosedBy    string         `json:"closed_by,omitempty"`
	Comments    []savedComment `json:"comments,omitempty"`
}

// savedComment is a comment in the state file.
type savedComment struct {
	ID        int64     `json:"id"`
	User      string    `json:"user"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// saveRepo returns r as the state file keeps it, without its issues.
func saveRepo(r *repoState) savedRepo {
	sr := savedRepo{Owner: r.owner, Name: r.name, ID: r.id, Labels: []savedLabel{}}
	for _, key := range r.labelOrder {
		l := r.labels[key]
		sr.Labels = append(sr.Labels, savedLabel{ID: l.id, Name: l.name, Color: l.color, Description: l.description})
	}
	return sr
}

// restore sets the repository's own fields and labels from sr (its issues
// stay). It reports the first label missing or repeated.
func (r *repoState) restore(sr savedRepo) error {
	labels, order := map[string]*labelState{}, []string(nil)
	for _, l := range sr.Labels {
		lk := strings.ToLower(l.Name)
		if lk == "" || labels[lk] != nil {
			return fmt.Errorf("label %q of %s missing or repeated", l.Name, sr.Owner+"/"+sr.Name)
		}
		labels[lk] = &labelState{id: l.ID, name: l.Name, color: l.Color, description: l.Description}
		order = append(order, lk)
	}
	r.owner, r.name, r.id, r.labels, r.labelOrder = sr.Owner, sr.Name, sr.ID, labels, order
	return nil
}

// saveIssue returns is as the state file keeps it, its comments included.
func saveIssue(is *issueState) savedIssue {
	si := savedIssue{ID: is.id, Number: is.number, Title: is.title, Body: is.body, Labels: is.labels,
		Assignees: is.assignees, State: is.state, StateReason: is.stateReason, User: is.user,
		CreatedAt: is.createdAt, UpdatedAt: is.updatedAt, ClosedAt: is.closedAt, ClosedBy: is.closedBy}
	for _, c := range is.comments {
		si.Comments = append(si.Comments, savedComment{ID: c.id, User: c.user, Body: c.body, CreatedAt: c.createdAt})
	}
	return si
}

// restoreIssue rebuilds an issue of the state file, checking its state.
func restoreIssue(si savedIssue) (*issueState, error) {
	if si.State != "open" && si.State != "closed" {
		return nil, fmt.Errorf("issue #%d has state %q", si.Number, si.State)
	}
	is := &issueState{id: si.ID, number: si.Number, title: si.Title, body: si.Body,
		labels: nonNil(si.Labels), assignees: nonNil(si.Assignees), state: si.State, stateReason: si.StateReason,
		user: si.User, createdAt: si.CreatedAt, updatedAt: si.UpdatedAt, closedAt: si.ClosedAt, closedBy: si.ClosedBy}
	for _, c := range si.Comments {
		is.comments = append(is.comments, &commentState{id: c.ID, user: c.User, body: c.Body, createdAt: c.CreatedAt})
	}
	return is, nil
}

// maxID returns the largest ID an issue of the state file uses.
func (si savedIssue) maxID() int64 {
	id := si.ID
	for _, c := range si.Comments {
		id = max(id, c.ID)
	}
	return id
}

// encodeStateLocked returns the state file contents (s.mu held).
func (s *Server) encodeStateLocked() ([]byte, error) {
	st := savedState{Format: stateFormat, SavedAt: s.now().UTC(), NextID: s.nextID, Repos: []savedRepo{}}
	for _, r := range s.reposLocked() {
		sr := saveRepo(r)
		sr.Issues = []savedIssue{}
		for _, is := range r.issues {
			sr.Issues = append(sr.Issues, saveIssue(is))
		}
		st.Repos = append(st.Repos, sr)
	}
	return json.MarshalIndent(st, "", " ")
}

// decodeState rebuilds the repositories of a state file and the ID counter.
func decodeState(data []byte) (map[string]*repoState, int64, error) {
	var st savedState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, 0, fmt.Errorf("not a state file: %w", err)
	}
	if st.Format != stateFormat {
		return nil, 0, fmt.Errorf("format %q, want %q", st.Format, stateFormat)
	}
	if st.NextID < 0 {
		return nil, 0, errors.New("negative next_id")
	}
	repos := map[string]*repoState{}
	maxID := st.NextID
	for _, sr := range st.Repos {
		key := strings.ToLower(sr.Owner + "/" + sr.Name)
		if sr.Owner == "" || sr.Name == "" || repos[key] != nil {
			return nil, 0, fmt.Errorf("repository %q missing or repeated", sr.Owner+"/"+sr.Name)
		}
		r := &repoState{}
		if err := r.restore(sr); err != nil {
			return nil, 0, err
		}
		maxID = max(maxID, sr.ID)
		for _, l := range sr.Labels {
			maxID = max(maxID, l.ID)
		}
		for i, si := range sr.Issues {
			if si.Number != i+1 {
				return nil, 0, fmt.Errorf("issue %s#%d out of sequence (want #%d)", key, si.Number, i+1)
			}
			is, err := restoreIssue(si)
			if err != nil {
				return nil, 0, fmt.Errorf("%s: %w", key, err)
			}
			maxID = max(maxID, si.maxID())
			r.issues = append(r.issues, is)
		}
		repos[key] = r
	}
	return repos, maxID, nil // never hand out an ID the file already uses
}

// reposLocked returns the repositories ordered by name (s.mu held).
func (s *Server) reposLocked() []*repoState {
	keys := make([]string, 0, len(s.repos))
	for k := range s.repos {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]*repoState, 0, len(keys))
	for _, k := range keys {
		out = append(out, s.repos[k])
	}
	return out
}

// nonNil returns list, or an empty list for nil.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
