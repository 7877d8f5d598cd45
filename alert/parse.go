package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"time"
)

// alertmanagerVersion is the Alertmanager webhook payload version this
// package reads.
const alertmanagerVersion = "4"

// Parse reads body as a notification from src; the error says in one line
// what is wrong with the body.
func Parse(src Source, body []byte) (Notification, error) {
	switch src {
	case SourceAlertmanager:
		return ParseAlertmanager(body)
	case SourceGrafana:
		return ParseGrafana(body)
	case SourceWebhook:
		return ParseWebhook(body)
	}
	return Notification{}, UnknownSourceError(string(src))
}

// ParseAlertmanager reads an Alertmanager webhook body (payload version 4).
func ParseAlertmanager(body []byte) (Notification, error) {
	var w AlertmanagerMessage
	if err := decode(body, &w, false); err != nil {
		return Notification{}, fmt.Errorf("alertmanager notification: %w", err)
	}
	if w.Version != alertmanagerVersion {
		hint := ""
		if w.OrgID != 0 || w.Title != "" {
			hint = " (this looks like Grafana: send it to /alerts/grafana)"
		}
		return Notification{}, fmt.Errorf("alertmanager notification: version is %q, want %q%s", w.Version, alertmanagerVersion, hint)
	}
	return fromWire(SourceAlertmanager, w)
}

// ParseGrafana reads the body of a Grafana Alerting webhook contact point.
func ParseGrafana(body []byte) (Notification, error) {
	var w AlertmanagerMessage
	if err := decode(body, &w, false); err != nil {
		return Notification{}, fmt.Errorf("grafana notification: %w", err)
	}
	return fromWire(SourceGrafana, w)
}

// ParseWebhook reads the body of incidentflow's own webhook (see
// wireWebhook for its fields). It becomes a group of one alert whose labels
// are alertname (the title), service and severity, and whose annotations
// are summary (the title) and description (the summary).
func ParseWebhook(body []byte) (Notification, error) {
	var w wireWebhook
	if err := decode(body, &w, true); err != nil {
		return Notification{}, fmt.Errorf("webhook notification: %w", err)
	}
	st := Status(w.Status)
	switch {
	case w.Key == "":
		return Notification{}, errors.New("webhook notification: key is empty: give each alert a stable key (one incident per key)")
	case !st.valid():
		return Notification{}, fmt.Errorf("webhook notification: status is %q, want firing or resolved", w.Status)
	case st == Firing && w.Title == "":
		return Notification{}, errors.New("webhook notification: title is empty: a firing alert needs one")
	case w.URL != "" && cleanURL(w.URL) == "":
		return Notification{}, fmt.Errorf("webhook notification: url must be an absolute http or https URL of at most %d bytes", maxURLLen)
	}
	labels := nonEmpty(map[string]string{"alertname": w.Title, "service": w.Service, "severity": w.Severity})
	annotations := nonEmpty(map[string]string{"summary": w.Title, "description": w.Summary})
	n := Notification{
		Source:            SourceWebhook,
		GroupKey:          w.Key,
		Status:            st,
		CommonLabels:      labels,
		CommonAnnotations: annotations,
		Alerts: []Alert{{
			Fingerprint:  LabelsFingerprint(map[string]string{"key": w.Key}),
			Status:       st,
			Labels:       labels,
			Annotations:  annotations,
			GeneratorURL: w.URL,
		}},
	}
	return bound(n), nil
}

// fromWire checks an Alertmanager or Grafana message and normalises it.
func fromWire(src Source, w AlertmanagerMessage) (Notification, error) {
	fail := func(format string, args ...any) (Notification, error) {
		return Notification{}, fmt.Errorf("%s notification: "+format, append([]any{src}, args...)...)
	}
	switch {
	case !Status(w.Status).valid():
		return fail("status is %q, want firing or resolved", w.Status)
	case w.GroupKey == "":
		return fail("groupKey is empty: the sender must say which alert group this is")
	case len(w.Alerts) == 0:
		return fail("alerts is empty: nothing to notify")
	}
	n := Notification{
		Source:            src,
		GroupKey:          w.GroupKey,
		Receiver:          w.Receiver,
		Status:            Status(w.Status),
		GroupLabels:       w.GroupLabels,
		CommonLabels:      w.CommonLabels,
		CommonAnnotations: w.CommonAnnotations,
		ExternalURL:       w.ExternalURL,
		OrgID:             w.OrgID,
		State:             w.State,
		Title:             w.Title,
		Message:           w.Message,
		Truncated:         int(min(w.TruncatedAlerts, maxCount)),
		Alerts:            make([]Alert, len(w.Alerts)),
	}
	for i, a := range w.Alerts {
		switch {
		case !Status(a.Status).valid():
			return fail("alerts[%d].status is %q, want firing or resolved", i, a.Status)
		case len(a.Labels) == 0:
			return fail("alerts[%d].labels is empty: an alert needs at least its alertname", i)
		}
		n.Alerts[i] = Alert{
			Fingerprint:  a.Fingerprint,
			Status:       Status(a.Status),
			Labels:       a.Labels,
			Annotations:  a.Annotations,
			StartsAt:     a.StartsAt,
			EndsAt:       a.EndsAt,
			GeneratorURL: a.GeneratorURL,
			DashboardURL: a.DashboardURL,
			PanelURL:     a.PanelURL,
			SilenceURL:   a.SilenceURL,
			Values:       a.Values,
		}
	}
	return bound(n), nil
}

// decode unmarshals one JSON object from body into v, refusing unknown
// fields when strict, with an error that names the field and the problem
// without Go type names.
func decode(body []byte, v any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(v)
	if err == nil {
		if _, next := dec.Token(); next != io.EOF {
			err = errors.New("more data after the JSON object")
		}
	}
	return describeJSONError(err)
}

// describeJSONError rewords encoding/json's errors for the sender.
func describeJSONError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tim *time.ParseError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syn):
		return fmt.Errorf("body is not valid JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the body"
		}
		return fmt.Errorf("%s must be %s, not a JSON %s", field, jsonKind(typ.Type), typ.Value)
	case errors.As(err, &tim):
		return fmt.Errorf("a time is not RFC 3339 (like 2024-05-01T14:32:00Z): %q", tim.Value)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("body is empty or cut short: want one JSON object")
	}
	return fmt.Errorf("body is not a valid notification: %w", err)
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == reflect.TypeFor[time.Time]() {
		return "an RFC 3339 time"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Bool:
		return "true or false"
	}
	return "a number"
}

// nonEmpty drops the pairs of m with an empty value.
func nonEmpty(m map[string]string) map[string]string {
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	return m
}
