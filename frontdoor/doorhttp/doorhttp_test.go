package doorhttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/frontdoor/doorhttp"
)

func TestReadBody(t *testing.T) {
	for name, tc := range map[string]struct {
		body       string
		length     int64 // the Content-Length; -1 unknown
		wantStatus int
	}{
		"within the bound":       {"hello", 5, 0},
		"at the bound":           {strings.Repeat("x", 16), 16, 0},
		"over, declared":         {strings.Repeat("x", 17), 17, http.StatusRequestEntityTooLarge},
		"over, chunked":          {strings.Repeat("x", 17), -1, http.StatusRequestEntityTooLarge},
		"declared short, longer": {strings.Repeat("x", 40), -1, http.StatusRequestEntityTooLarge},
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", io.NopCloser(strings.NewReader(tc.body)))
			r.ContentLength = tc.length
			got, status, err := doorhttp.ReadBody(httptest.NewRecorder(), r, 16)
			if status != tc.wantStatus {
				t.Fatalf("status %d (%v), want %d", status, err, tc.wantStatus)
			}
			if status == 0 && string(got) != tc.body {
				t.Errorf("body %q, want %q", got, tc.body)
			}
			if status != 0 && (err == nil || err.Error() != "the body is over 16 bytes") {
				t.Errorf("error %v", err)
			}
		})
	}
}

func TestReply(t *testing.T) {
	w := httptest.NewRecorder()
	doorhttp.Reply(w, http.StatusBadRequest, "first line\nsecond   line "+strings.Repeat("x", 500))
	text := w.Body.String()
	if w.Code != http.StatusBadRequest || !strings.HasPrefix(text, "first line second line x") ||
		strings.Count(text, "\n") != 1 || len([]rune(strings.TrimSpace(text))) > doorhttp.MaxReply {
		t.Errorf("%d %q", w.Code, text)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestBearer(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer abc":    "abc",
		"bearer  abc ":  "abc",
		"BEARER abc":    "abc",
		"Bearer ":       "",
		"Basic abc":     "",
		"abc":           "",
		"":              "",
		"Bearerabc":     "",
		"Bearer a b":    "a b",
		"Bearer\tabc":   "",
		"Bearer \x00ab": "\x00ab",
	} {
		if got := doorhttp.Bearer(header); got != want {
			t.Errorf("Bearer(%q) = %q, want %q", header, got, want)
		}
	}
	tok := doorhttp.NewToken("s3cret-token")
	if !tok.Matches("s3cret-token") || tok.Matches("s3cret-toke") || tok.Matches("") {
		t.Error("Matches")
	}
}

// FuzzBearer: any header gives a token or "", and a token given matches
// itself and never holds the scheme.
func FuzzBearer(f *testing.F) {
	for _, s := range []string{"Bearer abc", "Basic x", "", " ", "Bearer  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token := doorhttp.Bearer(header)
		if token == "" {
			return
		}
		if token != strings.TrimSpace(token) || !doorhttp.NewToken(token).Matches(token) {
			t.Errorf("Bearer(%q) = %q", header, token)
		}
		if !strings.Contains(header, token) {
			t.Errorf("Bearer(%q) = %q, which the header does not hold", header, token)
		}
	})
}
