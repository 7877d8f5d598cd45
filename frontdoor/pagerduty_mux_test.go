package frontdoor_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/pagerdutydoor"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

type noEvents struct{}

func (noEvents) RecordPageEvent(context.Context, string, wfapi.PageEvent) error { return nil }

// TestPagerDutyRoute: with a PagerDuty door, POST /pagerduty/webhook reaches
// it (unsigned: 401) and GET is 405; without one (no webhook secret) the
// route answers 404.
func TestPagerDutyRoute(t *testing.T) {
	d, err := pagerdutydoor.New(pagerdutydoor.Options{Secret: "a-webhook-secret-of-pagerduty", Events: noEvents{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(frontdoor.New(frontdoor.Doors{PagerDuty: d}, nil))
	defer srv.Close()
	if code, _ := get(t, "POST", srv.URL+"/pagerduty/webhook"); code != http.StatusUnauthorized {
		t.Errorf("unsigned POST /pagerduty/webhook: %d, want 401", code)
	}
	if code, _ := get(t, "GET", srv.URL+"/pagerduty/webhook"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /pagerduty/webhook: %d, want 405", code)
	}
	off := httptest.NewServer(frontdoor.New(frontdoor.Doors{}, nil))
	defer off.Close()
	if code, _ := get(t, "POST", off.URL+"/pagerduty/webhook"); code != http.StatusNotFound {
		t.Errorf("POST /pagerduty/webhook without a door: %d, want 404", code)
	}
}
