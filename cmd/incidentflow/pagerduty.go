package main

import (
	"log/slog"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/frontdoor/pagerdutydoor"
)

// newPagerDutyDoor is the door of PagerDuty's webhooks over events (the
// starter's incidents). With paging.pagerduty.webhook_secret empty there
// is none: POST /pagerduty/webhook answers 404, and the log says so when
// PagerDuty is otherwise configured.
func newPagerDutyDoor(cfg *config.Config, events pagerdutydoor.PageEvents, logger *slog.Logger) (*pagerdutydoor.Door, error) {
	pd := cfg.Paging.PagerDuty
	if pd.WebhookSecret == "" {
		if pagingConfigured(cfg) {
			logger.Warn("paging.pagerduty.webhook_secret is empty, so POST /pagerduty/webhook is off (404): PagerDuty's acknowledgements and resolutions will not reach the incidents' timelines; add a webhook v3 subscription in PagerDuty and set its secret")
		}
		return nil, nil
	}
	return pagerdutydoor.New(pagerdutydoor.Options{Secret: pd.WebhookSecret, Events: events, Logger: logger})
}

// pagingConfigured reports whether any PagerDuty routing key is set.
func pagingConfigured(cfg *config.Config) bool {
	if cfg.Paging.PagerDuty.RoutingKey != "" {
		return true
	}
	for _, s := range cfg.Services {
		if s.PagerDutyRoutingKey != "" {
			return true
		}
	}
	return false
}
