package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/incident"
)

// sandboxAlertToken is the bearer token `incidentflow dev` gives the alert
// sources no configuration names, so `incidentflow alert` works at once.
const sandboxAlertToken = "sandbox-alert-token"

// alertVerbs are the subcommands of `incidentflow alert`.
var alertVerbs = []verb{
	{"fire", "send a firing Alertmanager notification: --labels alertname=HighErrorRate,service=checkout,severity=critical [--summary T]", runAlertFire},
	{"resolve", "send the resolved notification of the same alert: --labels …", runAlertResolve},
}

// alertVerb runs `incidentflow alert fire|resolve`.
func alertVerb(ctx context.Context, args []string, out io.Writer) error {
	return subVerb(ctx, "alert", alertVerbs, args, out)
}

func runAlertFire(ctx context.Context, args []string, out io.Writer) error {
	return sendAlert(ctx, "fire", "firing", args, out)
}

func runAlertResolve(ctx context.Context, args []string, out io.Writer) error {
	return sendAlert(ctx, "resolve", "resolved", args, out)
}

// sendAlert posts an Alertmanager webhook notification (version 4) about
// one alert to the front door's POST /alerts/alertmanager, with the
// alertmanager source's token, as Alertmanager itself would: grouped by all
// its labels, so fire and resolve with the same labels are one group.
func sendAlert(ctx context.Context, sub, status string, args []string, out io.Writer) error {
	f := newConfigFlags("alert "+sub, fmt.Sprintf("--labels k=v,k=v [--summary TEXT] [--url http://%s]", config.DefaultListen)).withDataDir().withJSON()
	labelsArg := f.fs.String("labels", "", "the alert's labels, k=v separated by commas; alertname is required")
	summary := f.fs.String("summary", "", "the alert's summary annotation")
	base := f.fs.String("url", "", "the front door's base URL (default: that of the incidentflow dev running with --data-dir, else http://<http.listen>)")
	cfg, err := f.load(args)
	if err != nil {
		return err
	}
	labels, err := parseLabels(*labelsArg)
	if err != nil {
		return err
	}
	if err := checkURLFlag("--url", *base, "the front door's base URL, e.g. http://"+config.DefaultListen); err != nil {
		return err
	}
	body, err := json.Marshal(alertmanagerMessage(labels, *summary, status, time.Now().UTC()))
	if err != nil {
		return err
	}
	url := strings.TrimSuffix(*base, "/")
	if url == "" {
		url = frontDoorURL(cfg)
	}
	url += "/alerts/alertmanager"
	code, answer, err := postAlert(ctx, url, alertToken(cfg), body)
	if err != nil {
		return fmt.Errorf("can't reach the front door at %s (%v): is `incidentflow dev` or `incidentflow serve` running? Set --url otherwise", url, err)
	}
	if code/100 != 2 {
		return fmt.Errorf("the front door refused the alert: %d %s", code, answer)
	}
	if f.jsonOut {
		return printJSON(out, map[string]any{"status": status, "labels": labels, "url": url, "answer": answer})
	}
	fmt.Fprintf(out, "Sent %s alert %s to %s: %s\n", status, labels["alertname"], url, answer)
	return nil
}

// alertToken is the alertmanager source's token, or the dev sandbox's.
func alertToken(cfg *config.Config) string {
	if t := cfg.Alerts.Sources[string(alert.SourceAlertmanager)].Token; t != "" {
		return t
	}
	return sandboxAlertToken
}

func postAlert(ctx context.Context, url, token string, body []byte) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, strings.TrimSpace(string(b)), nil
}

// parseLabels reads "k=v,k=v"; alertname must be among them.
func parseLabels(s string) (map[string]string, error) {
	labels := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("--labels: %q is not k=v (e.g. --labels alertname=HighErrorRate,service=checkout)", part)
		}
		labels[k] = v
	}
	if labels["alertname"] == "" {
		return nil, errors.New("--labels needs alertname=…, e.g. --labels alertname=HighErrorRate,service=checkout,severity=critical")
	}
	return labels, nil
}

// alertmanagerMessage is Alertmanager's webhook payload (version 4) for
// one alert with labels, grouped by all its labels.
func alertmanagerMessage(labels map[string]string, summary, status string, now time.Time) alert.AlertmanagerMessage {
	keys := incident.SortedKeys(labels)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = fmt.Sprintf("%s=%q", k, labels[k])
	}
	annotations := map[string]string{}
	if summary != "" {
		annotations["summary"] = summary
	}
	// The alert started a minute ago; Alertmanager sends a firing alert
	// with a zero end time and a resolved one with when it ended.
	endsAt := time.Time{}
	if status == "resolved" {
		endsAt = now
	}
	return alert.AlertmanagerMessage{
		Version:           "4",
		Receiver:          "incidentflow-cli",
		Status:            status,
		GroupKey:          "{}:{" + strings.Join(pairs, ", ") + "}",
		GroupLabels:       labels,
		CommonLabels:      labels,
		CommonAnnotations: annotations,
		ExternalURL:       "http://incidentflow-cli",
		Alerts: []alert.AlertmanagerAlert{{
			Status:      status,
			Labels:      labels,
			Annotations: annotations,
			StartsAt:    now.Add(-time.Minute).Truncate(time.Second),
			EndsAt:      endsAt.Truncate(time.Second),
			Fingerprint: alert.LabelsFingerprint(labels),
		}},
	}
}
