package alert

import (
	"testing"
)

// fuzzParser checks that parse never panics and that whatever it accepts is
// within the bounds, seeded with real-looking payloads.
func fuzzParser(f *testing.F, parse func([]byte) (Notification, error), seeds ...string) {
	for _, s := range seeds {
		f.Add(readTestdata(f, s))
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"status":"resolved","groupKey":"g","truncatedAlerts":18446744073709551615,"alerts":[{"status":"resolved","labels":{"":""},"endsAt":"0000-01-01T00:00:00+23:59"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := parse(body)
		if err != nil {
			for _, c := range err.Error() {
				if c == '\n' {
					t.Fatalf("error spans lines: %q", err)
				}
			}
			return
		}
		if err := checkBounds(n); err != nil {
			t.Fatalf("accepted %q out of bounds: %v", body, err)
		}
	})
}

func FuzzParseAlertmanager(f *testing.F) {
	fuzzParser(f, ParseAlertmanager, "alertmanager.json", "alertmanager-0.25-real.json")
}

func FuzzParseGrafana(f *testing.F) {
	fuzzParser(f, ParseGrafana, "grafana.json", "alertmanager.json")
}

func FuzzParseWebhook(f *testing.F) {
	fuzzParser(f, ParseWebhook, "webhook.json")
}
