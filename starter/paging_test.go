package starter_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"

	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestPageIsAnUpdateWithTheDoorsUpdateID: a page by hand is the "page"
// update of the incident's workflow, carrying the update ID the door gave
// (so a retried request pages once), and its outcome comes back.
func TestPageIsAnUpdateWithTheDoorsUpdateID(t *testing.T) {
	c := &mocks.Client{}
	c.Test(t)
	handle := &mocks.WorkflowUpdateHandle{}
	handle.On("Get", mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		*args.Get(1).(*wfapi.PageOutcome) = wfapi.PageOutcome{DedupKey: wfapi.PageDedupKey("abc123", ""), Service: "checkout", Already: true}
	}).Return(nil)
	c.On("UpdateWorkflow", mock.Anything, mock.MatchedBy(func(o client.UpdateWorkflowOptions) bool {
		return o.WorkflowID == "incident-abc123" && o.UpdateName == wfapi.UpdatePage && o.UpdateID == "page-K1" &&
			len(o.Args) == 1 && o.Args[0] == wfapi.PageRequest{By: "U0ALICE", Service: "checkout"}
	})).Return(handle, nil)
	incidents := &starter.Incidents{Client: c}

	out, err := incidents.Page(starter.WithUpdateID(context.Background(), "page-K1"), "abc123", wfapi.PageRequest{By: "U0ALICE", Service: "checkout"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (wfapi.PageOutcome{DedupKey: "incidentflow/abc123", Service: "checkout", Already: true}); out != want {
		t.Errorf("outcome %+v, want %+v", out, want)
	}
	c.AssertExpectations(t)
}

// TestAPageOrEventPastItsBoundsIsRefusedBeforeItIsSent: nothing reaches
// Temporal (the mock fails the test on any call).
func TestAPageOrEventPastItsBoundsIsRefusedBeforeItIsSent(t *testing.T) {
	c := &mocks.Client{}
	c.Test(t)
	incidents := &starter.Incidents{Client: c}
	ctx := context.Background()
	if _, err := incidents.Page(ctx, "abc123", wfapi.PageRequest{By: "U0ALICE", Service: strings.Repeat("s", 5000)}); err == nil ||
		!strings.Contains(err.Error(), "the service is 5,000 characters") {
		t.Errorf("Page: %v", err)
	}
	for _, ev := range []wfapi.PageEvent{
		{Kind: wfapi.PageAcknowledged, DedupKey: "incidentflow/abc123"},
		{ID: "E1", Kind: "exploded", DedupKey: "incidentflow/abc123"},
		{ID: "E1", Kind: wfapi.PageResolved},
		{ID: "E1", Kind: wfapi.PageResolved, DedupKey: "incidentflow/abc123", By: strings.Repeat("b", 101)},
	} {
		if err := incidents.RecordPageEvent(ctx, "abc123", ev); err == nil {
			t.Errorf("RecordPageEvent(%+v) was sent", ev)
		}
	}
	c.AssertExpectations(t)
}

// TestRecordPageEventSignals: an event is the "page-event" signal; one for
// an incident whose workflow has ended says so (ErrIncidentEnded), one for
// no incident at all says ErrNotFound.
func TestRecordPageEventSignals(t *testing.T) {
	ev := wfapi.PageEvent{ID: "E1", Kind: wfapi.PageAcknowledged, DedupKey: "incidentflow/abc123", By: "Ava", At: time.Now()}
	c := &mocks.Client{}
	c.Test(t)
	c.On("SignalWorkflow", mock.Anything, "incident-abc123", "", wfapi.SignalPageEvent, ev).Return(nil).Once()
	c.On("SignalWorkflow", mock.Anything, "incident-ended", "", wfapi.SignalPageEvent, ev).Return(serviceerror.NewNotFound("workflow execution already completed"))
	c.On("DescribeWorkflowExecution", mock.Anything, "incident-ended", "").Return(&workflowservice.DescribeWorkflowExecutionResponse{}, nil)
	c.On("SignalWorkflow", mock.Anything, "incident-nosuch", "", wfapi.SignalPageEvent, ev).Return(serviceerror.NewNotFound("workflow not found"))
	c.On("DescribeWorkflowExecution", mock.Anything, "incident-nosuch", "").Return(nil, serviceerror.NewNotFound("workflow not found"))
	incidents := &starter.Incidents{Client: c}
	ctx := context.Background()

	if err := incidents.RecordPageEvent(ctx, "abc123", ev); err != nil {
		t.Errorf("RecordPageEvent: %v", err)
	}
	if err := incidents.RecordPageEvent(ctx, "ended", ev); !errors.Is(err, starter.ErrIncidentEnded) {
		t.Errorf("an ended incident: %v", err)
	}
	if err := incidents.RecordPageEvent(ctx, "nosuch", ev); !errors.Is(err, starter.ErrNotFound) {
		t.Errorf("no incident: %v", err)
	}
	c.AssertExpectations(t)
}
