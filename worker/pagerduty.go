package worker

import (
	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/config"
)

// NewPagerDuty returns the PagerDuty activities for cfg's paging keys: the
// default routing key and token of paging.pagerduty, and each service's
// routing key and escalation policy. The keys stay in the worker; the
// workflows name services only.
func NewPagerDuty(cfg *config.Config) *activities.PagerDuty {
	pd := cfg.Paging.PagerDuty
	opts := activities.PagerDutyOptions{
		RoutingKey:       pd.RoutingKey,
		Token:            pd.Token,
		EscalationPolicy: pd.EscalationPolicy,
		EventsURL:        pd.EventsURL,
		APIURL:           pd.APIURL,
		Sandbox:          pd.RoutingKey == config.SandboxRoutingKey,
		Services:         map[string]activities.PagerDutyService{},
	}
	for name, s := range cfg.Services {
		if s.PagerDutyRoutingKey != "" || s.PagerDutyEscalationPolicy != "" {
			opts.Services[name] = activities.PagerDutyService{RoutingKey: s.PagerDutyRoutingKey, EscalationPolicy: s.PagerDutyEscalationPolicy}
		}
	}
	return activities.NewPagerDuty(opts)
}
