package slackdoor

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// The schedule form offers the status page only when one is configured,
// and its checkbox puts the window there.
func TestMaintenanceFormOffersTheStatusPage(t *testing.T) {
	sched := &fakeScheduler{}
	f := maintenanceDoor(t, sched)
	t.Cleanup(f.Wait) // the confirmations are posted in the background
	b, _ := json.Marshal(f.maintenanceView(viewMeta{Incident: newWindowMeta}, "U1"))
	if strings.Contains(string(b), FieldMaintStatusPage) {
		t.Fatal("the form offers a status page that isn't configured")
	}
	values := maintGoodForm(time.Now().Add(48 * time.Hour))
	values[FieldMaintStatusPage] = slack.BlockAction{SelectedOptions: []slack.OptionBlockObject{{Value: statusPageValue}}}
	f.submit(context.Background(), maintForm("V1", values))
	if len(sched.windows) != 1 || sched.windows[0].StatusPage {
		t.Fatalf("without a status page, a forged checkbox is ignored: %+v", sched.windows)
	}

	f.process.StatusPage = true
	b, _ = json.Marshal(f.maintenanceView(viewMeta{Incident: newWindowMeta}, "U1"))
	if !strings.Contains(string(b), FieldMaintStatusPage) || !strings.Contains(string(b), "public status page") {
		t.Fatalf("the form lacks the status page: %s", b)
	}
	f.submit(context.Background(), maintForm("V2", values))
	delete(values, FieldMaintStatusPage)
	f.submit(context.Background(), maintForm("V3", values))
	if len(sched.windows) != 3 || !sched.windows[1].StatusPage || sched.windows[2].StatusPage {
		t.Fatalf("windows %+v", sched.windows)
	}
}
