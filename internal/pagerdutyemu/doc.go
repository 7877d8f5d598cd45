// Package pagerdutyemu is a stateful, in-memory emulator of the parts of
// PagerDuty that incidentflow uses: the Events API v2 that pages, the REST
// API that says who is on call, and the v3 webhooks that tell incidentflow
// a page was acknowledged or resolved.
//
// It serves tests and the PagerDuty sandbox of `incidentflow dev`
// (127.0.0.1:3003) when paging.pagerduty.routing_key is empty. It speaks the
// wire format github.com/PagerDuty/go-pagerduty sends and parses, but only
// uses the standard library.
//
// # Events API v2
//
// POST /v2/enqueue takes {routing_key, event_action, dedup_key, payload
// {summary, source, severity, timestamp, component, group, class,
// custom_details}, links, images, client, client_url}, checked as PagerDuty
// checks it: routing_key is SandboxRoutingKey or 32 letters and digits (or
// one of Options.RoutingKeys when set), event_action is trigger,
// acknowledge or resolve, a trigger needs a summary of 1 to 1024
// characters, a source and a severity of critical, error, warning or info,
// acknowledge and resolve need a dedup_key. A good event is answered 202
// {"status":"success","message":"Event processed","dedup_key":...}; a bad
// one 400 {"status":"invalid event","message":"Event object is invalid",
// "errors":[...]}; more than Options.EventsPerMinute events for one routing
// key within a minute 429 with Retry-After. A trigger whose dedup key names
// an alert still open (triggered or acknowledged) is folded into it, as
// PagerDuty deduplicates; after the alert is resolved the same key opens a
// new one.
//
// # REST API
//
// GET /oncalls (escalation_policy_ids[], schedule_ids[], user_ids[],
// include[]=users, limit, offset), GET /users/{id} and GET
// /escalation_policies/{id} answer from fixtures (Fixtures: users with
// emails, schedules with the people on call now, escalation policies whose
// rules name schedules or people), with `Authorization: Token token=<t>`
// for a token of Options.Tokens (default SandboxToken); any other answers
// 401. Server.RevokeToken makes a token expire.
//
// # Webhooks v3
//
// Each change of an alert's status (triggered, acknowledged, resolved) is
// posted to the subscriber set by Options.WebhookURL or Server.SetWebhook,
// as PagerDuty posts {"event": {id, event_type, resource_type, occurred_at,
// agent, data {id, type, html_url, number, status, incident_key, title,
// service, ...}}}, signed X-PagerDuty-Signature: v1=<hex HMAC-SHA256(secret,
// body)>, retried on failure. POST /_emu/acknowledge and /_emu/resolve
// ({"dedup_key", "by"}, JSON or a form) act as a person in PagerDuty; the
// page at GET / has buttons for them.
//
// # Inspection and faults
//
// GET /_emu/state answers {"events": [{routing_key, dedup_key,
// event_action, payload, ...}], "alerts": [...], "oncalls": [...],
// "deliveries": [...]}; PUT /_emu/fixtures replaces the fixtures; POST
// /_emu/reset forgets every event and alert; POST /_emu/fail {"match",
// "status", "count", "retry_after", "after"} queues faults like FailNext,
// RateLimitNext and FailAfterNext. None of these need a token.
//
// # Persistence
//
// With Options.StateFile the alerts, the recent events and the fixtures
// survive restarts: the whole state is written (a temporary file, then a
// rename) before the request that changed it is answered.
package pagerdutyemu
