package activities

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/internal/githubemu"
)

func debriefRequest(id string) DebriefRequest {
	return DebriefRequest{IncidentID: id, Title: "Drill debrief: Checkout errors (7/9)", Body: "## Drill debrief\n7/9 points"}
}

// With GitHub, a debrief is one issue labelled drill, found again (by its
// marker) when the activity is retried.
func TestDrillDebriefIsOneIssue(t *testing.T) {
	gh, srv := newTestGitHub(t, githubemu.Options{})
	d := &Debriefs{GitHub: gh, Dir: t.TempDir()}
	first, err := d.KeepDrillDebrief(context.Background(), debriefRequest("drill01"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := d.KeepDrillDebrief(context.Background(), debriefRequest("drill01"))
	if err != nil {
		t.Fatal(err)
	}
	issues := srv.Issues(testRepo)
	if len(issues) != 1 || first.Number != again.Number || first.URL == "" || first.Where() != first.URL {
		t.Fatalf("want one issue found again, got %d issues, %+v then %+v", len(issues), first, again)
	}
	is := issues[0]
	if len(is.Labels) != 1 || is.Labels[0] != DrillLabel || !strings.Contains(is.Body, DebriefMarker("drill01")) || !strings.Contains(is.Body, "7/9 points") {
		t.Errorf("the issue: %+v", is)
	}
}

// Without GitHub, or for a security drill kept off it, the debrief is a
// Markdown file, rewritten whole by a retry.
func TestDrillDebriefWithoutGitHubIsAFile(t *testing.T) {
	gh, srv := newTestGitHub(t, githubemu.Options{})
	for _, tc := range []struct {
		name string
		d    *Debriefs
		req  DebriefRequest
	}{
		{"no GitHub", &Debriefs{GitHub: NewGitHub(nil, ""), Dir: t.TempDir()}, debriefRequest("drill02")},
		{"security drill off GitHub", &Debriefs{GitHub: gh, Dir: t.TempDir()}, func() DebriefRequest {
			r := debriefRequest("drill03")
			r.OffGitHub = true
			return r
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 2 {
				res, err := tc.d.KeepDrillDebrief(context.Background(), tc.req)
				if err != nil {
					t.Fatal(err)
				}
				if res.Path != filepath.Join(tc.d.Dir, tc.req.IncidentID+".md") || res.Where() != res.Path {
					t.Fatalf("kept at %+v", res)
				}
				body, err := os.ReadFile(res.Path)
				if err != nil || !strings.HasPrefix(string(body), DebriefMarker(tc.req.IncidentID)+"\n## Drill debrief") {
					t.Fatalf("the file: %q (%v)", body, err)
				}
			}
			entries, _ := os.ReadDir(tc.d.Dir)
			if len(entries) != 1 {
				t.Errorf("want the debrief alone in the directory, got %d files", len(entries))
			}
		})
	}
	if n := len(srv.Issues(testRepo)); n != 0 {
		t.Errorf("%d issues opened for debriefs kept off GitHub", n)
	}
	if _, err := (&Debriefs{}).KeepDrillDebrief(context.Background(), DebriefRequest{IncidentID: "../x"}); err == nil {
		t.Error("a debrief of no valid ID was kept")
	}
}
