package incident

import (
	"strings"
	"testing"
	"time"
)

// Every public post is in the timeline, and so in the postmortem, in
// words: "published to the status page at 14:05: …".
func TestStatusPagePostsAreInThePostmortem(t *testing.T) {
	inc := resolvedIncident()
	at := inc.Declaration.DeclaredAt.Add(65 * time.Minute)
	post := PublicPost{By: "U2", Name: "Degraded service: checkout", Body: "Some payments\nfail.", Status: "investigating",
		Comps: map[string]string{"cmpb": "partial_outage", "cmpa": "degraded_performance"}}
	inc.Record(at, "U2", EntryStatusPage, StatusPageEntryText(post, at, time.UTC))
	resolved := PublicPost{Body: ResolvedPublicBody, Status: "resolved", Resolve: true, Comps: map[string]string{"cmpa": "operational"}}
	inc.Record(at, "U2", EntryStatusPage, StatusPageEntryText(resolved, at, time.UTC))

	want := "published to the status page at 14:05 UTC: “Degraded service: checkout” — investigating: Some payments fail. (components: cmpa degraded_performance, cmpb partial_outage)"
	if got := inc.Timeline[len(inc.Timeline)-2].Text; got != want {
		t.Errorf("entry %q, want %q", got, want)
	}
	pm := RenderPostmortem(&inc, PostmortemContext{People: map[string]Person{"U2": {ID: "U2", Name: "Bea"}}})
	for _, s := range []string{"status_page (Bea): published to the status page at 14:05 UTC: “Degraded service: checkout”",
		"status_page (Bea): resolved on the status page at 14:05 UTC: resolved: " + ResolvedPublicBody} {
		if !strings.Contains(pm, s) {
			t.Errorf("the postmortem lacks %q:\n%s", s, pm)
		}
	}
}

func TestOnStatusPageAndPosted(t *testing.T) {
	inc := New(Declaration{ID: "x1"})
	if inc.OnStatusPage() {
		t.Fatal("a new incident is on the status page")
	}
	inc.StatusPage = &StatusPage{Name: "Degraded", Pending: []PublicPost{{Key: "x1-public-1"}}}
	if !inc.OnStatusPage() {
		t.Fatal("an incident whose creation is queued isn't on its way")
	}
	sp := inc.StatusPage
	sp.OutageTold = true
	sp.Posted(PublicPost{Name: "Degraded", Status: "investigating", Comps: map[string]string{"c1": "major_outage"}}, "sp1", "https://stspg.io/x")
	sp.Pending = nil
	if !inc.OnStatusPage() || sp.PageIncidentID != "sp1" || sp.OutageTold || sp.Posts != 1 {
		t.Fatalf("after the creation: %+v", sp)
	}
	if got := sp.OperationalComponents(); len(got) != 1 || got["c1"] != "operational" {
		t.Errorf("operational components %v", got)
	}
	if got := PublishedText(sp, "U1"); !strings.Contains(got, "<https://stspg.io/x|See it as customers do>") || !strings.Contains(got, "by <@U1>") {
		t.Errorf("published text %q", got)
	}
	sp.Shortlink = "javascript:alert(1)"
	if got := PublishedText(sp, ""); strings.Contains(got, "javascript") {
		t.Errorf("a link that isn't a web address: %q", got)
	}
}
