package config_test

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/config"
)

// codecKey is a valid key named id whose bytes are all b.
func codecKey(id string, b byte) string {
	return id + ":" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
}

func TestCodecOffByDefault(t *testing.T) {
	isolate(t)
	c := mustLoad(t, "", nil)
	if c.Temporal.Codec.On() {
		t.Errorf("the codec is on by default: %+v", c.Temporal.Codec)
	}
}

// TestCodecKeysFromTheEnvironment: INCIDENTFLOW_TEMPORAL_CODEC_KEYS is a
// comma-separated list, the first key first.
func TestCodecKeysFromTheEnvironment(t *testing.T) {
	isolate(t)
	t.Setenv("INCIDENTFLOW_TEMPORAL_CODEC_KEYS", codecKey("new", 1)+", "+codecKey("old", 2))
	t.Setenv("INCIDENTFLOW_TEMPORAL_CODEC_TOKEN", "a-long-enough-token")
	t.Setenv("INCIDENTFLOW_TEMPORAL_CODEC_CORS_ORIGINS", "https://temporal.example.com,http://localhost:8233")
	c := mustLoad(t, "", nil)
	codec := c.Temporal.Codec
	if !codec.On() || len(codec.Keys) != 2 || !strings.HasPrefix(codec.Keys[0], "new:") || !strings.HasPrefix(strings.TrimSpace(codec.Keys[1]), "old:") {
		t.Errorf("keys = %q, want new then old", codec.Keys)
	}
	if codec.Token != "a-long-enough-token" {
		t.Errorf("token = %q", codec.Token)
	}
	if got := c.Temporal.CodecOrigins(); !slices.Equal(got, []string{"https://temporal.example.com", "http://localhost:8233"}) {
		t.Errorf("CodecOrigins = %q", got)
	}
}

// TestCodecConfigProblems: each bad key, a weak token and a bad origin is
// one line naming its key, and no line repeats a secret.
func TestCodecConfigProblems(t *testing.T) {
	isolate(t)
	short := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 16))
	good := codecKey("k1", 1)
	_, err := config.Load(writeConfig(t, `
temporal:
  codec:
    keys:
      - `+good+`
      - "k2:not base64!"
      - "k3:`+short+`"
      - "`+codecKey("k1", 4)+`"
      - "`+codecKey("", 5)+`"
    token: "short token"
    cors_origins: ["https://temporal.example.com", "https://temporal.example.com/ui", "*"]
`), nil)
	if err == nil {
		t.Fatal("Load accepted a bad temporal.codec")
	}
	msg := err.Error()
	for _, want := range []string{
		`temporal.codec.keys[1]: key "k2": the part after the ":" is not base64`,
		`temporal.codec.keys[2]: key "k3" is 16 bytes long, not 32 (AES-256)`,
		`temporal.codec.keys[3]: key ID "k1" is used by an earlier key`,
		`temporal.codec.keys[4]: the key has no ID before the ":"`,
		`temporal.codec.token: must be at least 16 characters without spaces`,
		`temporal.codec.cors_origins[1]: "https://temporal.example.com/ui" is not allowed: an origin written scheme://host[:port] with no path`,
		`temporal.codec.cors_origins[2]: "*" is not allowed`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q:\n%s", want, msg)
		}
	}
	for _, secret := range []string{strings.TrimPrefix(good, "k1:"), short, "short token"} {
		if strings.Contains(msg, secret) {
			t.Errorf("error repeats a secret (%q):\n%s", secret, msg)
		}
	}
	if strings.Contains(msg, "keys[0]") || strings.Contains(msg, "cors_origins[0]") {
		t.Errorf("a good entry is blamed:\n%s", msg)
	}
	for _, line := range strings.Split(msg, "\n")[1:] {
		if !strings.HasPrefix(line, "  ") {
			t.Errorf("a problem spans lines: %q", line)
		}
	}
}

// TestCodecOriginsDefault: without cors_origins, the Web UI's origin may
// call the codec endpoints; without either, no origin may.
func TestCodecOriginsDefault(t *testing.T) {
	for url, want := range map[string][]string{
		"https://temporal.example.com/namespaces/incidents": {"https://temporal.example.com"},
		"http://127.0.0.1:8233":                             {"http://127.0.0.1:8233"},
		"":                                                  nil,
	} {
		got := config.Temporal{WebUIURL: url}.CodecOrigins()
		if !slices.Equal(got, want) {
			t.Errorf("web_ui_url %q: CodecOrigins = %q, want %q", url, got, want)
		}
	}
	set := config.Temporal{WebUIURL: "http://127.0.0.1:8233", Codec: config.TemporalCodec{CORSOrigins: []string{" https://ops.example.com ", ""}}}
	if got := set.CodecOrigins(); !slices.Equal(got, []string{"https://ops.example.com"}) {
		t.Errorf("configured origins: %q", got)
	}
}
