package starter_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/mocks"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestDeclareRefusesADeclarationPastItsBoundsAndStartsNothing: whichever
// door declares, a title or summary past its bound is refused with the
// sentence before anything reaches Temporal (the mock client fails the
// test on any call).
func TestDeclareRefusesADeclarationPastItsBoundsAndStartsNothing(t *testing.T) {
	client := &mocks.Client{}
	client.Test(t)
	incidents := &starter.Incidents{Client: client, Process: incident.DefaultProcess()}
	ok := incident.Declaration{ID: "abc123", Title: "Checkout down", Severity: incident.Critical, DeclaredAt: time.Now()}

	for _, c := range []struct {
		over func(*incident.Declaration)
		want string
	}{
		{func(d *incident.Declaration) { d.Title = strings.Repeat("x", 400) },
			"the title is 400 characters; incidentflow keeps at most 150 — shorten it and put the details in the summary"},
		{func(d *incident.Declaration) { d.Summary = strings.Repeat("é", 120000) },
			"the summary is 120,000 characters; incidentflow keeps at most 3,000 — shorten it or link to a document"},
		{func(d *incident.Declaration) { d.Title = "  " }, "an incident needs a title: say what is broken in a few words"},
	} {
		d := ok
		c.over(&d)
		room, err := incidents.Declare(context.Background(), d, true)
		if err == nil || err.Error() != c.want {
			t.Errorf("Declare: %v\nwant %s", err, c.want)
		}
		if room != (incident.WarRoom{}) {
			t.Errorf("a refused declaration has a war room: %+v", room)
		}
	}
	client.AssertExpectations(t)
}

// TestAnUpdatePastItsBoundsIsRefusedBeforeItIsSent: a status update,
// resolution, action item or severity reason of megabytes (the CLI's
// --text) gets the validator's sentence from the starter, and nothing
// reaches Temporal, whose message-size limit would otherwise answer.
func TestAnUpdatePastItsBoundsIsRefusedBeforeItIsSent(t *testing.T) {
	client := &mocks.Client{}
	client.Test(t)
	incidents := &starter.Incidents{Client: client}
	huge := strings.Repeat("x", 5<<20)
	ctx := context.Background()
	for want, send := range map[string]func() error{
		"the status update is 5,242,880 characters; incidentflow keeps at most 3,000 — shorten it or link to a document": func() error {
			return incidents.PostStatus(ctx, "abc123", wfapi.PostStatusRequest{Author: "U0ALICE", Text: huge})
		},
		"the resolution summary is 5,242,880 characters; incidentflow keeps at most 3,000 — shorten it or link to a document": func() error {
			return incidents.Resolve(ctx, "abc123", wfapi.ResolveRequest{By: "U0ALICE", Summary: huge})
		},
		"the action item is 5,242,880 characters; incidentflow keeps at most 3,000 — shorten it or link to a document": func() error {
			return incidents.AddActionItem(ctx, "abc123", wfapi.AddActionItemRequest{By: "U0ALICE", Text: huge})
		},
		"the reason is 5,242,880 characters; incidentflow keeps at most 3,000 — shorten it or link to a document": func() error {
			return incidents.SetSeverity(ctx, "abc123", wfapi.SetSeverityRequest{By: "U0ALICE", Severity: incident.Major, Reason: huge})
		},
		"a status update needs text: say what is known, what is being done and what comes next": func() error {
			return incidents.PostStatus(ctx, "abc123", wfapi.PostStatusRequest{Author: "U0ALICE", Text: " "})
		},
	} {
		err := send()
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || err.Error() != want {
			t.Errorf("got %v, want the refusal %q", err, want)
		}
	}
	client.AssertExpectations(t)
}
