package activities

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-github/v60/github"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
)

// DrillLabel labels the GitHub issue of every drill debrief.
const DrillLabel = "drill"

// Debriefs keeps the debriefs of drills: a GitHub issue labelled drill
// when GitHub is configured, else a Markdown file in Dir.
type Debriefs struct {
	GitHub *GitHub
	// Dir receives <incident ID>.md when GitHub isn't configured.
	Dir string
}

// DebriefRequest is one drill's debrief.
type DebriefRequest struct {
	IncidentID string `json:"incident_id"`
	Title      string `json:"title"`
	// Body is the debrief in GitHub Markdown.
	Body string `json:"body"`
	// NotBefore is when the drill began: no older issue is its debrief.
	NotBefore time.Time `json:"not_before"`
	// Repo (owner/name) receives the issue instead of the configured
	// repository: a security drill's goes where security postmortems go
	// (github.security_repo). OffGitHub keeps it in a file instead: a
	// security drill with no security repository.
	Repo      string `json:"repo,omitempty"`
	OffGitHub bool   `json:"off_github,omitempty"`
}

// DebriefResult says where a debrief is kept: an issue, or a file.
type DebriefResult struct {
	Number int    `json:"number,omitempty"`
	URL    string `json:"url,omitempty"`
	Path   string `json:"path,omitempty"`
}

// Where is the issue's URL or the file's path.
func (r DebriefResult) Where() string {
	if r.URL != "" {
		return r.URL
	}
	return r.Path
}

// DebriefMarker is the hidden comment that identifies the debrief issue of
// drill id.
func DebriefMarker(id string) string { return "<!-- incidentflow:drill:" + id + " -->" }

// KeepDrillDebrief opens the debrief issue of req.IncidentID in req.Repo
// (default: the configured repository), or finds the one an earlier
// attempt opened (by its marker): never a second one. Without GitHub, or
// with OffGitHub, it writes the debrief to Dir/<id>.md instead (replacing
// an earlier attempt's whole).
func (d *Debriefs) KeepDrillDebrief(ctx context.Context, req DebriefRequest) (DebriefResult, error) {
	if !incident.ValidID(req.IncidentID) {
		return DebriefResult{}, temporal.NewNonRetryableApplicationError("a debrief needs the drill's ID", "", nil)
	}
	body := DebriefMarker(req.IncidentID) + "\n" + req.Body
	var g *GitHub
	if d.GitHub != nil {
		g = d.GitHub.in(req.Repo)
	}
	if req.OffGitHub || g == nil || g.check() != nil {
		return d.writeFile(req.IncidentID, body)
	}
	return beating(ctx, func() (DebriefResult, error) {
		found, err := g.findByMarker(ctx, DebriefMarker(req.IncidentID), req.NotBefore)
		if err != nil {
			return DebriefResult{}, err
		}
		if found == nil {
			found, _, err = g.create(ctx, &github.IssueRequest{Title: &req.Title, Body: &body, Labels: &[]string{DrillLabel}})
			if err != nil {
				return DebriefResult{}, err
			}
		}
		return DebriefResult{Number: found.GetNumber(), URL: found.GetHTMLURL()}, nil
	})
}

// writeFile writes body to Dir/<id>.md through a temporary file, so a
// crash never leaves half a debrief.
func (d *Debriefs) writeFile(id, body string) (DebriefResult, error) {
	dir := d.Dir
	if dir == "" {
		dir = "drill-debriefs"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return DebriefResult{}, fmt.Errorf("keep the drill's debrief: %w", err)
	}
	path := filepath.Join(dir, id+".md")
	tmp, err := os.CreateTemp(dir, "."+id+"-*.md")
	if err != nil {
		return DebriefResult{}, fmt.Errorf("keep the drill's debrief: %w", err)
	}
	_, werr := tmp.WriteString(body)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return DebriefResult{}, fmt.Errorf("keep the drill's debrief in %s: %w", path, werr)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return DebriefResult{Path: path}, nil
}
