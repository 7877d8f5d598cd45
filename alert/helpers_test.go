package alert

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"testing"
)

// readTestdata returns testdata/name.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkBounds reports how n breaks the bounds a parser promises, without
// relying on the code that enforces them.
func checkBounds(n Notification) error {
	b, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("does not encode: %v", err)
	}
	if len(b) > MaxEncodedSize {
		return fmt.Errorf("encodes in %d bytes, over %d", len(b), MaxEncodedSize)
	}
	var back Notification
	if err := json.Unmarshal(b, &back); err != nil {
		return fmt.Errorf("does not decode: %v", err)
	}
	if !reflect.DeepEqual(back, n) {
		return fmt.Errorf("changes in a JSON round trip:\n%+v\n%+v", n, back)
	}
	if len(n.Alerts) == 0 || len(n.Alerts) > MaxAlerts {
		return fmt.Errorf("%d alerts", len(n.Alerts))
	}
	if !n.Status.valid() || n.GroupKey == "" || n.Truncated < 0 {
		return fmt.Errorf("status %q, group key %q, truncated %d", n.Status, n.GroupKey, n.Truncated)
	}
	for _, m := range []map[string]string{n.GroupLabels, n.CommonLabels, n.CommonAnnotations} {
		if len(m) > maxPairs {
			return fmt.Errorf("%d pairs", len(m))
		}
	}
	for i, a := range n.Alerts {
		if !a.Status.valid() || a.Fingerprint == "" {
			return fmt.Errorf("alerts[%d]: status %q, fingerprint %q", i, a.Status, a.Fingerprint)
		}
		if len(a.Labels) > maxPairs || len(a.Annotations) > maxAnnotations || len(a.Values) > maxValues {
			return fmt.Errorf("alerts[%d]: %d labels, %d annotations, %d values", i, len(a.Labels), len(a.Annotations), len(a.Values))
		}
		for _, u := range []string{a.GeneratorURL, a.DashboardURL, a.PanelURL, a.SilenceURL} {
			if len(u) > maxURLLen {
				return fmt.Errorf("alerts[%d]: a URL of %d bytes", i, len(u))
			}
		}
		if i > 0 && alertLess(a, n.Alerts[i-1]) {
			return fmt.Errorf("alerts[%d] is out of order", i)
		}
	}
	return nil
}
