package codecdoor_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/incidentflow/incidentflow/frontdoor/codecdoor"
	"github.com/incidentflow/incidentflow/internal/payloadcodec"
)

const (
	token  = "test-codec-token-0123456789"
	webUI  = "http://127.0.0.1:8233"
	stolen = "https://evil.example.com"
)

func newCodec(t testing.TB, id string) *payloadcodec.Codec {
	t.Helper()
	b := make([]byte, payloadcodec.KeySize)
	_, _ = rand.Read(b)
	c, err := payloadcodec.New([]string{id + ":" + base64.StdEncoding.EncodeToString(b)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serve mounts the door's handlers as the front door does, under /codec.
func serve(t testing.TB, o codecdoor.Options) string {
	t.Helper()
	d, err := codecdoor.New(o)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /codec/decode", d.Decode())
	mux.Handle("POST /codec/encode", d.Encode())
	mux.Handle("OPTIONS /codec/decode", d.Preflight())
	mux.Handle("OPTIONS /codec/encode", d.Preflight())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func plain(t testing.TB, v any) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func body(t testing.TB, ps ...*commonpb.Payload) []byte {
	t.Helper()
	b, err := protojson.Marshal(&commonpb.Payloads{Payloads: ps})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// call posts (or sends method) to url with headers given as name, value
// pairs, and returns the response and its body.
func call(t testing.TB, method, url string, b []byte, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

// assertRefused checks a refusal: its status, and one line saying want.
func assertRefused(t *testing.T, resp *http.Response, text string, status int, want string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status %d, want %d (%s)", resp.StatusCode, status, text)
	}
	if !strings.Contains(text, want) || strings.Count(strings.TrimSpace(text), "\n") > 0 {
		t.Errorf("answer %q, want one line saying %q", text, want)
	}
}

func TestDecodeAnEncryptedPayload(t *testing.T) {
	codec := newCodec(t, "k1")
	url := serve(t, codecdoor.Options{Codec: codec, Token: token})
	enc, err := codec.Encode([]*commonpb.Payload{plain(t, "Checkout is down"), plain(t, "old, unencrypted")})
	if err != nil {
		t.Fatal(err)
	}
	enc[1] = plain(t, "old, unencrypted")
	resp, text := call(t, "POST", url+"/codec/decode?preserveStorageRefs=true", body(t, enc...),
		"Authorization", "Bearer "+token, "X-Namespace", "incidentflow")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("decode: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), text)
	}
	var got commonpb.Payloads
	if err := protojson.Unmarshal([]byte(text), &got); err != nil {
		t.Fatalf("answer is not payloads: %v: %s", err, text)
	}
	if len(got.Payloads) != 2 || !proto.Equal(got.Payloads[0], plain(t, "Checkout is down")) || !proto.Equal(got.Payloads[1], plain(t, "old, unencrypted")) {
		t.Errorf("decoded %v", got.Payloads)
	}
}

// TestTemporalsRemoteCodecSpeaksIt: the SDK's own client of a codec server
// (what the temporal CLI's --codec-endpoint uses) decodes and encodes
// through the door.
func TestTemporalsRemoteCodecSpeaksIt(t *testing.T) {
	codec := newCodec(t, "k1")
	url := serve(t, codecdoor.Options{Codec: codec, Token: token})
	remote := converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
		Endpoint: url + "/codec",
		ModifyRequest: func(r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+token)
			return nil
		},
	})
	in := []*commonpb.Payload{plain(t, "Payments fail with 502"), plain(t, map[string]int{"n": 1})}
	enc, err := remote.Encode(in)
	if err != nil {
		t.Fatalf("remote encode: %v", err)
	}
	if string(enc[0].Metadata["encoding"]) != payloadcodec.Encoding {
		t.Fatalf("remote encode gave %v", enc[0].Metadata)
	}
	local, err := codec.Decode(enc)
	if err != nil || !proto.Equal(local[0], in[0]) || !proto.Equal(local[1], in[1]) {
		t.Errorf("the codec reads what the door encoded: %v, %v", local, err)
	}
	dec, err := remote.Decode(enc)
	if err != nil || !proto.Equal(dec[0], in[0]) || !proto.Equal(dec[1], in[1]) {
		t.Errorf("remote decode: %v, %v", dec, err)
	}
}

func TestAuthentication(t *testing.T) {
	codec := newCodec(t, "k1")
	url := serve(t, codecdoor.Options{Codec: codec, Token: token})
	b := body(t, plain(t, "x"))
	for name, auth := range map[string]string{
		"no header":    "",
		"wrong token":  "Bearer not-the-token-at-all",
		"basic":        "Basic " + base64.StdEncoding.EncodeToString([]byte("u:"+token)),
		"empty bearer": "Bearer ",
		"token alone":  token,
	} {
		t.Run(name, func(t *testing.T) {
			resp, text := call(t, "POST", url+"/codec/decode", b, "Authorization", auth)
			assertRefused(t, resp, text, http.StatusUnauthorized, "token")
			if resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if strings.Contains(text, token) {
				t.Error("the answer repeats the token")
			}
		})
	}
	if resp, text := call(t, "POST", url+"/codec/encode", b, "Authorization", "bearer "+token); resp.StatusCode != http.StatusOK {
		t.Errorf("the right token (scheme in lower case): %d %q", resp.StatusCode, text)
	}

	closed := serve(t, codecdoor.Options{Codec: codec})
	for _, auth := range []string{"", "Bearer " + token, "Bearer "} {
		resp, text := call(t, "POST", closed+"/codec/decode", b, "Authorization", auth)
		assertRefused(t, resp, text, http.StatusForbidden, "the codec endpoints are closed: temporal.codec.token is not set on this server")
	}
}

func TestCORS(t *testing.T) {
	url := serve(t, codecdoor.Options{Codec: newCodec(t, "k1"), Token: token, Origins: []string{webUI}})
	for _, path := range []string{"/codec/decode", "/codec/encode"} {
		resp, text := call(t, "OPTIONS", url+path, nil, "Origin", webUI,
			"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type,x-namespace")
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("preflight of %s: %d %q", path, resp.StatusCode, text)
		}
		h := resp.Header
		if h.Get("Access-Control-Allow-Origin") != webUI || h.Get("Access-Control-Allow-Credentials") != "true" ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") || h.Get("Vary") != "Origin" {
			t.Errorf("preflight of %s: headers %v", path, h)
		}
		allowed := strings.ToLower(h.Get("Access-Control-Allow-Headers"))
		for _, want := range []string{"authorization", "content-type", "x-namespace"} {
			if !strings.Contains(allowed, want) {
				t.Errorf("preflight of %s: Access-Control-Allow-Headers %q lacks %s", path, allowed, want)
			}
		}
	}

	resp, text := call(t, "OPTIONS", url+"/codec/decode", nil, "Origin", stolen, "Access-Control-Request-Method", "POST")
	assertRefused(t, resp, text, http.StatusForbidden, `origin "https://evil.example.com" may not call the codec endpoints: add it to temporal.codec.cors_origins`)
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("a refused origin is allowed to read the answer")
	}

	b := body(t, plain(t, "x"))
	resp, text = call(t, "POST", url+"/codec/decode", b, "Origin", webUI, "Authorization", "Bearer "+token)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != webUI {
		t.Errorf("POST from the Web UI: %d, Allow-Origin %q (%s)", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), text)
	}
	// The Web UI can read why it was refused.
	resp, _ = call(t, "POST", url+"/codec/decode", b, "Origin", webUI)
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Access-Control-Allow-Origin") != webUI {
		t.Errorf("unauthenticated POST from the Web UI: %d, Allow-Origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	resp, text = call(t, "POST", url+"/codec/decode", b, "Origin", stolen, "Authorization", "Bearer "+token)
	assertRefused(t, resp, text, http.StatusForbidden, "may not call the codec endpoints")
}

func TestBodyBound(t *testing.T) {
	url := serve(t, codecdoor.Options{Codec: newCodec(t, "k1"), Token: token, MaxBody: 1024})
	big := body(t, plain(t, strings.Repeat("x", 2048)))
	resp, text := call(t, "POST", url+"/codec/decode", big, "Authorization", "Bearer "+token)
	assertRefused(t, resp, text, http.StatusRequestEntityTooLarge, "the body is over 1024 bytes")

	// Without a Content-Length (chunked), the bound still holds.
	req, _ := http.NewRequest("POST", url+"/codec/decode", io.MultiReader(bytes.NewReader(big)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.ContentLength = -1
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked oversized body: %d, want 413", r.StatusCode)
	}

	if n := codecdoor.DefaultMaxBody; n != 4<<20 {
		t.Errorf("DefaultMaxBody = %d, want 4 MiB", n)
	}
}

func TestBadRequests(t *testing.T) {
	codec := newCodec(t, "k1")
	url := serve(t, codecdoor.Options{Codec: codec, Token: token})
	auth := []string{"Authorization", "Bearer " + token}
	for name, b := range map[string]string{
		"not JSON":         "payloads please",
		"wrong shape":      `{"payloads": "x"}`,
		"unknown field":    `{"payload": []}`,
		"data not base64":  `{"payloads": [{"data": "%%%"}]}`,
		"truncated object": `{"payloads": [`,
	} {
		t.Run(name, func(t *testing.T) {
			resp, text := call(t, "POST", url+"/codec/decode", []byte(b), auth...)
			assertRefused(t, resp, text, http.StatusBadRequest, `the body is not a JSON object of payloads ({"payloads": [`)
		})
	}

	enc, _ := newCodec(t, "retired").Encode([]*commonpb.Payload{plain(t, "x")})
	resp, text := call(t, "POST", url+"/codec/decode", body(t, enc...), auth...)
	assertRefused(t, resp, text, http.StatusBadRequest, `cannot decode the payloads: a payload is encrypted with key "retired", which is not configured`)

	enc, _ = codec.Encode([]*commonpb.Payload{plain(t, "x")})
	enc[0].Data[len(enc[0].Data)-1] ^= 1
	resp, text = call(t, "POST", url+"/codec/decode", body(t, enc...), auth...)
	assertRefused(t, resp, text, http.StatusBadRequest, "does not decrypt: it was altered")

	if resp, _ := call(t, "GET", url+"/codec/decode", nil, auth...); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
	if _, err := codecdoor.New(codecdoor.Options{}); err == nil {
		t.Error("New without a codec succeeded")
	}
}

// FuzzDecodeRequest: whatever the body, an authenticated decode answers
// 200 with payloads or 400 with one line, never anything else.
func FuzzDecodeRequest(f *testing.F) {
	codec := newCodec(f, "k1")
	url := serve(f, codecdoor.Options{Codec: codec, Token: token, MaxBody: 64 << 10})
	enc, _ := codec.Encode([]*commonpb.Payload{plain(f, "Checkout is down")})
	f.Add(body(f, enc...))
	f.Add(body(f, plain(f, "plain")))
	f.Add([]byte(`{"payloads": [{"metadata": {"encoding": "YmluYXJ5L2VuY3J5cHRlZA=="}, "data": "AAAA"}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(``))
	f.Add([]byte(`{"payloads": [null]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, text := call(t, "POST", url+"/codec/decode", b, "Authorization", "Bearer "+token)
		switch resp.StatusCode {
		case http.StatusOK:
			var ps commonpb.Payloads
			if err := protojson.Unmarshal([]byte(text), &ps); err != nil {
				t.Errorf("200 with an answer that is not payloads: %v", err)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if strings.Count(strings.TrimSpace(text), "\n") > 0 || strings.TrimSpace(text) == "" {
				t.Errorf("refusal is not one line: %q", text)
			}
		default:
			t.Errorf("status %d for body %q: %s", resp.StatusCode, b, text)
		}
	})
}
