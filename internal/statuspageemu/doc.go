// Package statuspageemu is a stateful, in-memory emulator of the part of the
// Atlassian Statuspage REST API (v1) that incidentflow uses: a page's
// incidents (realtime incidents and scheduled maintenance), their incident
// updates, and the page's components.
//
// It serves tests, and the Statuspage sandbox of `incidentflow dev`
// (127.0.0.1:3004) when statuspage.api_key is empty. It only uses the
// standard library.
//
// # Routes
//
//	POST   /v1/pages/{page_id}/incidents                 create
//	GET    /v1/pages/{page_id}/incidents                 list (q, limit, page)
//	GET    /v1/pages/{page_id}/incidents/unresolved      list realtime incidents not resolved
//	GET    /v1/pages/{page_id}/incidents/scheduled       list maintenance not started
//	GET    /v1/pages/{page_id}/incidents/active_maintenance
//	GET    /v1/pages/{page_id}/incidents/{incident_id}   get
//	PATCH  /v1/pages/{page_id}/incidents/{incident_id}   update (PUT too)
//	DELETE /v1/pages/{page_id}/incidents/{incident_id}   delete
//	GET    /v1/pages/{page_id}/components                list components
//
// A create or update takes {"incident": {name, status, body,
// impact_override, component_ids, components, scheduled_for,
// scheduled_until, metadata, deliver_notifications}}. A realtime incident's
// status is investigating, identified, monitoring, resolved or postmortem;
// an incident with scheduled_for is scheduled maintenance, whose status is
// scheduled, in_progress, verifying or completed. Each create, and each
// update with a body or a new status, adds an incident update. The
// components map sets the page's component statuses (operational,
// degraded_performance, partial_outage, major_outage, under_maintenance)
// and makes them affected components of the incident; component_ids only
// marks them affected. Metadata is a hash of hashes (e.g.
// {"incidentflow": {"incident_id": "…"}}) and replaces the incident's
// metadata when given.
//
// # Errors
//
// Statuspage's shape: {"error": "…"} for 400 (a body that isn't JSON, or
// without "incident"), 401 (no or a wrong `Authorization: OAuth <key>`),
// 404 (an unknown page or incident), 413 (a body over 256 KiB) and 429;
// {"error": ["…", …]} for 422 (a field with a bad value: a blank name, an
// unknown status, impact or component, a maintenance without its times or
// ending before it starts).
//
// # Rate limit
//
// Statuspage allows about one request a second per API key, counted over a
// rolling minute: each key may make Options.RateLimit requests (default 60)
// in any Options.RateWindow (default a minute); beyond that the answer is
// 429 with Retry-After (seconds until the oldest request leaves the
// window). Server.RateLimitNext and Server.FailNext inject faults.
//
// # Inspection
//
// GET /_emu/state answers {"page_id", "incidents": [{id, name, status,
// body, impact, components, updates, …}], "components": [{id, name,
// status}]}, POST /_emu/reset forgets every incident, and GET / is the
// page as its readers would see it. None of these need a key, count
// against the rate limit or show up in Calls.
package statuspageemu
