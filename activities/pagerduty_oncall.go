package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/PagerDuty/go-pagerduty"
	"go.temporal.io/sdk/temporal"
)

// maxOnCallPeople bounds the people one look-up returns (and so invites).
const maxOnCallPeople = 25

// OnCall returns who is on call now for req's service's escalation policy
// (the default policy when the service names none). What stops it from
// finding someone — no policy configured, no token, a refused token, a
// policy nobody is on call for — comes back in Problems, in words for the
// war room, with a nil error; only PagerDuty being unreachable or rate
// limiting is an error (retryable).
func (p *PagerDuty) OnCall(ctx context.Context, req OnCallRequest) (OnCallResult, error) {
	policy, where := p.opts.EscalationPolicy, "paging.pagerduty.escalation_policy"
	if s, ok := p.opts.Services[req.Service]; ok && s.EscalationPolicy != "" {
		policy, where = s.EscalationPolicy, "services."+req.Service+".pagerduty_escalation_policy"
	}
	if policy == "" {
		if req.Service == "" {
			return problems("no PagerDuty escalation policy is configured for incidents without a service, so nobody on call was invited: set paging.pagerduty.escalation_policy"), nil
		}
		return problems(fmt.Sprintf("no PagerDuty escalation policy is configured for service %s, so nobody on call was invited: set services.%s.pagerduty_escalation_policy (or paging.pagerduty.escalation_policy)",
			req.Service, req.Service)), nil
	}
	if p.opts.Token == "" {
		return problems(fmt.Sprintf("paging.pagerduty.token is not set, so who is on call for escalation policy %s can't be looked up: set a PagerDuty REST API key (read-only is enough)", policy)), nil
	}
	rec := &recorder{c: p.opts.HTTPClient}
	c := pagerduty.NewClient(p.opts.Token, pagerduty.WithAPIEndpoint(p.opts.APIURL))
	c.HTTPClient = rec

	resp, err := c.ListOnCallsWithContext(ctx, pagerduty.ListOnCallOptions{
		EscalationPolicyIDs: []string{policy}, Includes: []string{"users"}, Limit: 100})
	if err != nil {
		return p.restProblem(ctx, rec, err, policy, where, "look up who is on call for escalation policy "+policy)
	}
	if len(resp.OnCalls) == 0 {
		return p.nobodyOnCall(ctx, c, rec, policy, where)
	}

	var res OnCallResult
	seen := map[string]bool{}
	for _, oc := range resp.OnCalls {
		u := oc.User
		if seen[u.ID] || len(res.People) >= maxOnCallPeople {
			continue
		}
		seen[u.ID] = true
		name := firstNonEmpty(u.Name, u.Summary, u.ID)
		email := u.Email
		if email == "" && u.ID != "" { // include[]=users not honoured: ask for the user
			full, err := c.GetUserWithContext(ctx, u.ID, pagerduty.GetUserOptions{})
			if err != nil {
				if isRetryable(rec.status) || rec.status == 0 && ctx.Err() == nil {
					return OnCallResult{}, p.restError(ctx, rec, err, "look up PagerDuty user "+u.ID)
				}
			} else {
				email, name = full.Email, firstNonEmpty(full.Name, name)
			}
		}
		if email == "" {
			res.Problems = append(res.Problems, fmt.Sprintf("%s is on call (escalation level %d) but PagerDuty has no email for them, so they can't be found in Slack: invite them by hand", name, oc.EscalationLevel))
			continue
		}
		res.People = append(res.People, OnCallPerson{Name: name, Email: email, Level: int(oc.EscalationLevel)})
	}
	slices.SortStableFunc(res.People, func(a, b OnCallPerson) int { return a.Level - b.Level })
	return res, nil
}

// nobodyOnCall says why escalation policy has no one on call: it does not
// exist, or its rules name no schedule or person, or its schedules have a
// gap now.
func (p *PagerDuty) nobodyOnCall(ctx context.Context, c *pagerduty.Client, rec *recorder, policy, where string) (OnCallResult, error) {
	ep, err := c.GetEscalationPolicyWithContext(ctx, policy, &pagerduty.GetEscalationPolicyOptions{})
	if err != nil {
		return p.restProblem(ctx, rec, err, policy, where, "read escalation policy "+policy)
	}
	name := policy
	if ep.Name != "" {
		name = fmt.Sprintf("%s (%s)", ep.Name, policy)
	}
	var schedules []string
	targets := 0
	for _, r := range ep.EscalationRules {
		for _, t := range r.Targets {
			targets++
			if strings.HasPrefix(t.Type, "schedule") {
				schedules = append(schedules, firstNonEmpty(t.Summary, t.ID))
			}
		}
	}
	switch {
	case targets == 0:
		return problems(fmt.Sprintf("escalation policy %s has no one on call (no schedule?): its rules name no schedule or person; add one in PagerDuty", name)), nil
	case len(schedules) > 0:
		return problems(fmt.Sprintf("escalation policy %s has no one on call right now: schedule %s has a gap; cover it in PagerDuty or invite someone by hand",
			name, strings.Join(schedules, ", "))), nil
	}
	return problems(fmt.Sprintf("escalation policy %s has no one on call right now (no schedule?)", name)), nil
}

// restProblem turns a REST API failure into a Problem the war room reads,
// or into a retryable error when PagerDuty is only busy or unreachable.
func (p *PagerDuty) restProblem(ctx context.Context, rec *recorder, err error, policy, where, doing string) (OnCallResult, error) {
	switch status := rec.status; {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return problems(fmt.Sprintf("paging.pagerduty.token was refused by PagerDuty (HTTP %d; expired or revoked?), so who is on call could not be looked up: create a new REST API key and set paging.pagerduty.token", status)), nil
	case status == http.StatusNotFound || status == http.StatusBadRequest:
		return problems(fmt.Sprintf("PagerDuty has no escalation policy %s (HTTP %d): check %s", policy, status, where)), nil
	case status >= 400 && status < 500 && status != http.StatusTooManyRequests:
		return problems(fmt.Sprintf("PagerDuty refused to %s (HTTP %d): %s", doing, status, rec.restMessage(err))), nil
	}
	return OnCallResult{}, p.restError(ctx, rec, err, doing)
}

// restError words a REST API failure that a retry may cure.
func (p *PagerDuty) restError(ctx context.Context, rec *recorder, err error, doing string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch status := rec.status; {
	case status == 0:
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("PagerDuty's REST API can't be reached (%s) to %s: %v; retrying", p.opts.APIURL, doing, err),
			ErrPagerDutyUnavailable, temporal.ApplicationErrorOptions{Cause: err})
	case status == http.StatusTooManyRequests:
		wait := rec.retryAfter(defaultPagerDutyRetry)
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("PagerDuty is rate-limiting the REST API; retrying in %s to %s", wait, doing),
			ErrPagerDutyRateLimited, temporal.ApplicationErrorOptions{Cause: err, NextRetryDelay: wait})
	default:
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("PagerDuty failed to %s (HTTP %d); retrying", doing, status),
			ErrPagerDutyUnavailable, temporal.ApplicationErrorOptions{Cause: err, NextRetryDelay: rec.retryAfter(0)})
	}
}

func isRetryable(status int) bool { return status == http.StatusTooManyRequests || status >= 500 }

func problems(p ...string) OnCallResult { return OnCallResult{Problems: p} }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// restMessage is the REST API's own message in err, or err.
func (r *recorder) restMessage(err error) string {
	var apiErr pagerduty.APIError
	if errors.As(err, &apiErr) && apiErr.APIError.Valid && apiErr.APIError.ErrorObject.Message != "" {
		msg := apiErr.APIError.ErrorObject.Message
		if errs := apiErr.APIError.ErrorObject.Errors; len(errs) > 0 {
			msg += ": " + strings.Join(errs, "; ")
		}
		return msg
	}
	return err.Error()
}
