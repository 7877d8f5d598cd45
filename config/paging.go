package config

import (
	"regexp"

	"github.com/incidentflow/incidentflow/incident"
)

// SandboxRoutingKey is the routing key of the PagerDuty sandbox of
// `incidentflow dev` (internal/pagerdutyemu accepts it besides 32-character
// keys).
const SandboxRoutingKey = "sandbox-routing-key"

var (
	// routingKey is an Events API v2 integration key: 32 letters and
	// digits.
	routingKey = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)
	// pagerDutyID is a PagerDuty object ID such as PT20YPA.
	pagerDutyID = regexp.MustCompile(`^[A-Z0-9]{2,20}$`)
)

// minWebhookSecret is the shortest webhook secret accepted; PagerDuty's
// are 64 characters.
const minWebhookSecret = 16

// checkPaging checks paging.pagerduty.* and the services' PagerDuty keys.
func (c *Config) checkPaging(bad func(key, value, allowed string), say func(key, message string)) {
	pd := c.Paging.PagerDuty
	checkRoutingKey("paging.pagerduty.routing_key", pd.RoutingKey, bad)
	checkPolicy("paging.pagerduty.escalation_policy", pd.EscalationPolicy, bad)
	for key, secret := range map[string]string{"paging.pagerduty.token": pd.Token, "paging.pagerduty.webhook_secret": pd.WebhookSecret} {
		if hasSpace(secret) {
			say(key, "contains a space, a line break or a control character, which no PagerDuty key has: set it to the key alone")
		}
	}
	if s := pd.WebhookSecret; s != "" && len(s) < minWebhookSecret {
		say("paging.pagerduty.webhook_secret", "is too short to be PagerDuty's: copy the secret PagerDuty showed when the webhook subscription was created (Integrations → Generic Webhooks (v3))")
	}
	for key, u := range map[string]string{"paging.pagerduty.events_url": pd.EventsURL, "paging.pagerduty.api_url": pd.APIURL} {
		if u != "" && !isURL(u) {
			bad(key, u, "an http(s) URL such as https://events.pagerduty.com or https://api.pagerduty.com")
		}
	}
	for _, name := range incident.SortedKeys(c.Services) {
		s := c.Services[name]
		checkRoutingKey("services."+name+".pagerduty_routing_key", s.PagerDutyRoutingKey, bad)
		checkPolicy("services."+name+".pagerduty_escalation_policy", s.PagerDutyEscalationPolicy, bad)
	}
}

func checkRoutingKey(key, value string, bad func(key, value, allowed string)) {
	if value != "" && value != SandboxRoutingKey && !routingKey.MatchString(value) {
		bad(key, value, "a PagerDuty Events API v2 integration key: 32 letters and digits (Service → Integrations → Events API V2 → Integration Key)")
	}
}

func checkPolicy(key, value string, bad func(key, value, allowed string)) {
	if value != "" && !pagerDutyID.MatchString(value) {
		bad(key, value, "a PagerDuty escalation policy ID such as PT20YPA (the last part of the policy's URL)")
	}
}
