package topology

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The balancer alternates between the front doors, skips one that is
// down, passes the body on, and refuses a body over its bound with 413.
func TestBalancer(t *testing.T) {
	echo := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			io.WriteString(w, name+":"+string(b))
		}))
	}
	a, b := echo("a"), echo("b")
	defer a.Close()
	bal, err := NewBalancer([]string{a.URL, b.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer bal.Close()
	post := func(body string) (int, string) {
		t.Helper()
		resp, err := http.Post(bal.URL()+"/slack/commands", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	seen := map[string]bool{}
	for range 4 {
		code, out := post("hello")
		if code != http.StatusOK || !strings.HasSuffix(out, ":hello") {
			t.Fatalf("answered %d %q", code, out)
		}
		seen[out[:1]] = true
	}
	if !seen["a"] || !seen["b"] {
		t.Errorf("not both backends answered: %v", seen)
	}
	b.Close()
	for range 4 {
		if code, out := post("x"); code != http.StatusOK || out != "a:x" {
			t.Errorf("with b down: %d %q, want a to answer", code, out)
		}
	}
	if code, _ := post(strings.Repeat("x", maxBody+1)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized body was answered %d, want 413", code)
	}
	if n := bal.Served()[strings.TrimPrefix(a.URL, "http://")]; n < 6 {
		t.Errorf("a served %d, want at least 6", n)
	}
}
