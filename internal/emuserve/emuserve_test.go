package emuserve_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/internal/emuserve"
)

// A listener serves its handler at its URL, refuses a second Start, and
// stops once however often it is told to.
func TestListenerServesStopsAndRefusesASecondStart(t *testing.T) {
	var l emuserve.Listener
	if l.URL() != "" {
		t.Fatalf("URL before Start is %q, want empty", l.URL())
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "emulated") })
	if err := l.Start("testemu", "127.0.0.1:0", h); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(l.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "emulated" {
		t.Errorf("served %q", body)
	}
	if err := l.Start("testemu", "127.0.0.1:0", h); err == nil || !strings.Contains(err.Error(), "testemu: server already started") {
		t.Errorf("second Start: %v", err)
	}
	l.Stop()
	l.Stop()
	if _, err := http.Get(l.URL() + "/"); err == nil {
		t.Error("still serving after Stop")
	}
}
