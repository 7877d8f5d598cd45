package worker

import (
	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/config"
)

// NewStatusPage returns the Statuspage activities for the page cfg names
// (statuspage.*). Without statuspage.api_key and page_id they are still
// registered, and answer each call with an error naming those keys, which
// the war room hears: a window scheduled with statuspage: true is never
// silently left off the page.
func NewStatusPage(cfg *config.Config) *activities.StatusPage {
	return activities.NewStatusPage(activities.StatusPageOptions{
		APIURL: cfg.StatusPage.APIURL, PageID: cfg.StatusPage.PageID, APIKey: cfg.StatusPage.APIKey,
	})
}
