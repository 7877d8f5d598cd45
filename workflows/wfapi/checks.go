package wfapi

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// Checker is a request that can say, without the incident, what is wrong
// with its own fields. The workflow's validators ask it first; the
// starter (Incidents) asks it before sending, so a door refuses a request with the
// same sentence before anything reaches Temporal (a text of megabytes is
// refused by the bound, not by gRPC's message size).
type Checker interface {
	Check() error
}

// Check refuses an empty or over-long update, an unknown status and a
// negative time to the next update.
func (r PostStatusRequest) Check() error {
	if strings.TrimSpace(r.Text) == "" {
		return errors.New("a status update needs text: say what is known, what is being done and what comes next")
	}
	if err := cmp.Or(incident.CheckText("the status update", r.Text, incident.MaxText), incident.CheckName("the author", r.Author)); err != nil {
		return err
	}
	if r.Status != "" {
		if _, err := incident.ParseUpdateStatus(string(r.Status)); err != nil {
			return err
		}
	}
	if r.NextUpdateIn < 0 {
		return errors.New("the time to the next update can't be negative")
	}
	if r.Public != nil {
		return r.Public.Check()
	}
	return nil
}

// Check refuses an over-long reason or name. Whether the severity exists
// is the process's to say, which the workflow holds.
func (r SetSeverityRequest) Check() error {
	return cmp.Or(incident.CheckText("the reason", r.Reason, incident.MaxText), incident.CheckName("who changes the severity", r.By))
}

// Check refuses an unknown role, a missing user and over-long names.
func (r AssignRoleRequest) Check() error {
	if _, err := incident.ParseRole(string(r.Role)); err != nil {
		return err
	}
	if strings.TrimSpace(r.User) == "" {
		return errors.New("name the user who takes the role")
	}
	return cmp.Or(incident.CheckName("the user", r.User), incident.CheckName("who assigns the role", r.By))
}

// Check refuses an empty or over-long action item and a due date that
// isn't a date.
func (r AddActionItemRequest) Check() error {
	if strings.TrimSpace(r.Text) == "" {
		return errors.New("an action item needs text: say what should be done")
	}
	if r.Due != "" {
		if _, err := time.Parse(time.DateOnly, r.Due); err != nil {
			return fmt.Errorf("due date %q isn't a date: use YYYY-MM-DD", incident.TruncateChars(r.Due, incident.MaxName))
		}
	}
	return cmp.Or(incident.CheckText("the action item", r.Text, incident.MaxText), incident.CheckName("the owner", r.Owner),
		incident.CheckName("who adds the action item", r.By))
}

// Check refuses an empty or over-long resolution summary.
func (r ResolveRequest) Check() error {
	if strings.TrimSpace(r.Summary) == "" {
		return errors.New("resolving needs a summary: say what fixed it and what the impact was")
	}
	return cmp.Or(incident.CheckText("the resolution summary", r.Summary, incident.MaxText), incident.CheckName("who resolves it", r.By))
}

// Check refuses an over-long note or name.
func (r CompleteMaintenanceRequest) Check() error {
	return cmp.Or(incident.CheckText("the note", r.Note, incident.MaxText), incident.CheckName("who completes the window", r.By))
}

// Check refuses an over-long note or name. Whether the severity exists is
// the process's to say, which the workflow holds.
func (r PromoteMaintenanceRequest) Check() error {
	return cmp.Or(incident.CheckText("the note", r.Note, incident.MaxText), incident.CheckName("who declares the incident", r.By))
}
