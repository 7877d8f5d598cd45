package incident

// SecurityPageSummary is the whole summary of a security incident's page:
// nothing of its title or summary leaves Slack.
const SecurityPageSummary = "security incident — see Slack"

// PagesOn reports whether declaring an incident of severity s, or raising
// one to it, pages the on-call (its policy's Page) — and PagerDuty is
// configured to take the page of an incident of service svc ("" for none).
func (p *Process) PagesOn(s Severity, svc string) bool {
	sp, ok := p.Policy(s)
	return ok && sp.Page && p.Pageable(svc)
}

// Pageable reports whether a page of service svc ("" for none) has a
// PagerDuty routing key to go to: the service's own, or the default.
func (p *Process) Pageable(svc string) bool {
	if s, ok := p.Services[svc]; ok && s.Paged {
		return true
	}
	return p.Paging
}

// CanLookUpOnCall reports whether who is on call for service svc ("" for
// none) can be looked up in PagerDuty: the service, or the default, names
// an escalation policy and a REST API token is set.
func (p *Process) CanLookUpOnCall(svc string) bool {
	if s, ok := p.Services[svc]; ok && s.OnCall {
		return true
	}
	return p.OnCallLookup
}

// PagerDutySeverity is the PagerDuty event severity (critical, error,
// warning or info) of an incident of severity s in process p: the first
// configured severity is critical, the second error, the third warning and
// any milder one info.
func (p *Process) PagerDutySeverity(s Severity) string {
	levels := []string{"critical", "error", "warning"}
	for i, l := range p.SeverityLevels() {
		if l == s {
			if i < len(levels) {
				return levels[i]
			}
			return "info"
		}
	}
	return "critical" // an unknown severity is not a reason to page softly
}
