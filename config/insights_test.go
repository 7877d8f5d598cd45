package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/config"
)

func TestInsightsConfig(t *testing.T) {
	isolate(t)
	t.Setenv("INCIDENTFLOW_INSIGHTS_TOKEN", "0123456789abcdef0123")
	t.Setenv("INCIDENTFLOW_INSIGHTS_DIGEST_CHANNEL", "#incident-review")
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Insights.Token != "0123456789abcdef0123" || c.Insights.DigestChannel != "#incident-review" || c.Insights.DigestInterval() != 7*24*time.Hour {
		t.Fatalf("insights from the environment and defaults: %+v", c.Insights)
	}
	for _, tc := range []struct {
		name string
		set  func(*config.Insights)
		want string
	}{
		{"short token", func(i *config.Insights) { i.Token = "s3cr3t" }, "insights.token: is too short"},
		{"token with a space", func(i *config.Insights) { i.Token = "s3cr3t s3cr3t s3cr3t" }, "insights.token: contains a space"},
		{"bad channel", func(i *config.Insights) { i.DigestChannel = "Incident Review" }, `insights.digest_channel: "Incident Review" is not allowed`},
		{"digest too often", func(i *config.Insights) { i.DigestEvery = "10m" }, `insights.digest_every: "10m" is not allowed: a duration of at least 1h`},
		{"digest not a duration", func(i *config.Insights) { i.DigestEvery = "weekly" }, `insights.digest_every: "weekly"`},
		{"page URL", func(i *config.Insights) { i.URL = "javascript:alert(1)" }, "insights.url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := *c
			tc.set(&c.Insights)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
			if c.Insights.Token != "" && strings.Contains(err.Error(), c.Insights.Token) {
				t.Errorf("the token is echoed: %v", err)
			}
		})
	}
}

func TestInsightsPageURL(t *testing.T) {
	for _, tc := range []struct{ url, listen, want string }{
		{"https://incidents.example.com/insights", "0.0.0.0:3000", "https://incidents.example.com/insights"},
		{"", "127.0.0.1:3000", "http://127.0.0.1:3000/insights"},
		{"", "incidentflow.internal:3000", "http://incidentflow.internal:3000/insights"},
		{"", ":3000", ""},
		{"", "0.0.0.0:3000", ""},
		{"", "[::]:3000", ""},
	} {
		c := config.Config{Insights: config.Insights{URL: tc.url}, HTTP: config.HTTP{Listen: tc.listen}}
		if got := c.InsightsPageURL(); got != tc.want {
			t.Errorf("insights.url %q, http.listen %q: InsightsPageURL() = %q, want %q", tc.url, tc.listen, got, tc.want)
		}
	}
}
