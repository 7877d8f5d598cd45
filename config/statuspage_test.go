package config_test

import (
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/config"
)

func TestStatusPageConfig(t *testing.T) {
	t.Setenv("INCIDENTFLOW_STATUSPAGE_API_KEY", "k3y")
	t.Setenv("INCIDENTFLOW_STATUSPAGE_PAGE_ID", "kctbh9vrtdwd")
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.StatusPage.Configured() || !c.Process().StatusPage {
		t.Fatalf("statuspage from the environment: %+v", c.StatusPage)
	}
	c.Services = map[string]config.Service{"checkout": {StatusPageComponents: []string{"cmpcheckout01", "bad id"}}}
	c.StatusPage.APIURL = "ftp://x"
	err = c.Validate()
	for _, want := range []string{"services.checkout.statuspage_components[1]", "statuspage.api_url"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want a problem with %s", err, want)
		}
	}
	c.StatusPage = config.StatusPage{APIKey: "secret key"}
	err = c.Validate()
	if err == nil || !strings.Contains(err.Error(), "statuspage.page_id") || strings.Contains(err.Error(), "secret key") {
		t.Errorf("Validate() = %v: want page_id asked for, and the key never echoed", err)
	}
}
