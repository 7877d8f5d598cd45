package payloadcodec_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"

	"github.com/incidentflow/incidentflow/internal/payloadcodec"
)

// key writes a fresh random key named id.
func key(t testing.TB, id string) string {
	t.Helper()
	b := make([]byte, payloadcodec.KeySize)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return id + ":" + base64.StdEncoding.EncodeToString(b)
}

func newCodec(t testing.TB, keys ...string) *payloadcodec.Codec {
	t.Helper()
	c, err := payloadcodec.New(keys)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// plain is what the SDK's default converter makes of v.
func plain(t testing.TB, v any) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func encode(t testing.TB, c *payloadcodec.Codec, ps ...*commonpb.Payload) []*commonpb.Payload {
	t.Helper()
	out, err := c.Encode(ps)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	c := newCodec(t, key(t, "k1"))
	in := []*commonpb.Payload{
		plain(t, "Checkout is down for everyone in the EU"),
		plain(t, map[string]any{"summary": "Payments fail with 502", "n": 3}),
		{}, // nil metadata and data
		{Metadata: map[string][]byte{"encoding": []byte("binary/null")}},
	}
	enc := encode(t, c, in...)
	if len(enc) != len(in) {
		t.Fatalf("Encode gave %d payloads for %d", len(enc), len(in))
	}
	for i, p := range enc {
		if got := string(p.Metadata["encoding"]); got != payloadcodec.Encoding {
			t.Errorf("payload %d: encoding %q, want %q", i, got, payloadcodec.Encoding)
		}
		if got := string(p.Metadata[payloadcodec.MetadataKeyID]); got != "k1" {
			t.Errorf("payload %d: key ID %q, want k1", i, got)
		}
		if len(p.Metadata) != 2 {
			t.Errorf("payload %d: metadata %v, want only the encoding and the key ID", i, p.Metadata)
		}
	}
	if bytes.Contains(enc[0].Data, []byte("Checkout")) || bytes.Contains(enc[1].Data, []byte("Payments")) {
		t.Error("the ciphertext holds the plain text")
	}
	dec, err := c.Decode(enc)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	for i := range in {
		if !proto.Equal(dec[i], in[i]) {
			t.Errorf("payload %d: decoded %v, want %v", i, dec[i], in[i])
		}
	}
}

// TestNoncesDiffer: the same payload encrypts differently each time, so
// equal texts can't be told apart in a history.
func TestNoncesDiffer(t *testing.T) {
	c := newCodec(t, key(t, "k1"))
	p := plain(t, "same text")
	a, b := encode(t, c, p)[0], encode(t, c, p)[0]
	if bytes.Equal(a.Data, b.Data) {
		t.Error("two encryptions of one payload are equal: the nonce is not random")
	}
}

// TestThroughTheDataConverter: the SDK's codec data converter over the
// codec turns values into encrypted payloads and back.
func TestThroughTheDataConverter(t *testing.T) {
	dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), newCodec(t, key(t, "k1")))
	p, err := dc.ToPayload("Checkout is down")
	if err != nil {
		t.Fatal(err)
	}
	if string(p.Metadata["encoding"]) != payloadcodec.Encoding {
		t.Fatalf("ToPayload gave encoding %q", p.Metadata["encoding"])
	}
	var back string
	if err := dc.FromPayload(p, &back); err != nil || back != "Checkout is down" {
		t.Errorf("FromPayload = %q, %v", back, err)
	}
}

// TestKeyRotation: with a new key put first, payloads encrypted with the
// old one still decrypt, new payloads use the new one, and a codec that
// only has the old key cannot read them.
func TestKeyRotation(t *testing.T) {
	oldKey, newKey := key(t, "2024-01"), key(t, "2025-06")
	before := newCodec(t, oldKey)
	after := newCodec(t, newKey, oldKey)
	if after.KeyID() != "2025-06" {
		t.Errorf("KeyID = %q, want the first key's", after.KeyID())
	}

	old := encode(t, before, plain(t, "recorded before the rotation"))
	dec, err := after.Decode(old)
	if err != nil || !proto.Equal(dec[0], plain(t, "recorded before the rotation")) {
		t.Fatalf("the rotated codec reads an old payload: %v, %v", dec, err)
	}

	fresh := encode(t, after, plain(t, "recorded after"))
	if got := string(fresh[0].Metadata[payloadcodec.MetadataKeyID]); got != "2025-06" {
		t.Errorf("a new payload is encrypted with %q, want the new key", got)
	}
	if _, err := before.Decode(fresh); err == nil || !strings.Contains(err.Error(), `"2025-06"`) {
		t.Errorf("a codec without the new key: error %v, want one naming key 2025-06", err)
	}
}

func TestUnknownKeyID(t *testing.T) {
	enc := encode(t, newCodec(t, key(t, "retired")), plain(t, "x"))
	_, err := newCodec(t, key(t, "k2"), key(t, "k3")).Decode(enc)
	want := `a payload is encrypted with key "retired", which is not configured (the keys are k2, k3): add that key to temporal.codec.keys to read it`
	if err == nil || err.Error() != want {
		t.Errorf("error %v,\nwant %s", err, want)
	}
}

// TestTamperDetection: a flipped bit, a cut payload, a key ID swapped for
// another configured key, or a missing key ID all fail to decode.
func TestTamperDetection(t *testing.T) {
	c := newCodec(t, key(t, "k1"), key(t, "k2"))
	fresh := func() *commonpb.Payload { return encode(t, c, plain(t, "Checkout is down"))[0] }
	for name, tc := range map[string]struct {
		alter func(p *commonpb.Payload)
		want  string
	}{
		"bit flipped in the ciphertext": {func(p *commonpb.Payload) { p.Data[len(p.Data)-20] ^= 1 }, "does not decrypt: it was altered"},
		"bit flipped in the nonce":      {func(p *commonpb.Payload) { p.Data[0] ^= 0x80 }, "does not decrypt: it was altered"},
		"tag cut off":                   {func(p *commonpb.Payload) { p.Data = p.Data[:len(p.Data)-16] }, "does not decrypt"},
		"cut short":                     {func(p *commonpb.Payload) { p.Data = p.Data[:10] }, "too short to be one"},
		"other key named":               {func(p *commonpb.Payload) { p.Metadata[payloadcodec.MetadataKeyID] = []byte("k2") }, `the key named "k2" is not the one`},
		"no key named":                  {func(p *commonpb.Payload) { delete(p.Metadata, payloadcodec.MetadataKeyID) }, "names no key"},
	} {
		t.Run(name, func(t *testing.T) {
			p := fresh()
			tc.alter(p)
			if _, err := c.Decode([]*commonpb.Payload{p}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// TestPlainPayloadsPassThrough: payloads recorded before encryption was
// turned on (any other encoding) decode as they are.
func TestPlainPayloadsPassThrough(t *testing.T) {
	c := newCodec(t, key(t, "k1"))
	in := []*commonpb.Payload{plain(t, "an old incident"), plain(t, nil), {Data: []byte("no metadata")}}
	out, err := c.Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if out[i] != in[i] {
			t.Errorf("payload %d: not passed through unchanged", i)
		}
	}
	mixed := append(encode(t, c, plain(t, "new")), plain(t, "old"))
	out, err = c.Decode(mixed)
	if err != nil || !proto.Equal(out[0], plain(t, "new")) || !proto.Equal(out[1], plain(t, "old")) {
		t.Errorf("encrypted and plain payloads together: %v, %v", out, err)
	}
}

func TestParseKeyErrors(t *testing.T) {
	secret := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	short := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 16))
	for in, want := range map[string]string{
		secret:                         `has no ":"`,
		":" + secret:                   "the key has no ID",
		"my key:" + secret:             "the key ID before the \":\" must be 1 to 64 letters",
		secret + ":" + secret:          "the key ID before the \":\" must be 1 to 64 letters",
		"k1:not base64!":               `key "k1": the part after the ":" is not base64`,
		"k1:" + short:                  `key "k1" is 16 bytes long, not 32 (AES-256)`,
		"k1:":                          `key "k1" is 0 bytes long`,
		"k1:" + secret[:len(secret)-1]: `key "k1": the part after the ":" is not base64`,
	} {
		_, err := payloadcodec.ParseKey(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKey(%q): error %v, want one saying %q", in, err, want)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), short) {
			t.Errorf("ParseKey(%q): the error repeats the secret: %v", in, err)
		}
	}
	k, err := payloadcodec.ParseKey("  k-1.a_b:" + secret + " ")
	if err != nil || k.ID != "k-1.a_b" || len(k.Secret) != 32 {
		t.Errorf("ParseKey of a good key: %+v, %v", k, err)
	}
}

func TestParseKeys(t *testing.T) {
	a, b := key(t, "a"), key(t, "b")
	keys, errs := payloadcodec.ParseKeys([]string{a, " ", b, key(t, "a"), "nope"})
	if len(keys) != 2 || keys[0].ID != "a" || keys[1].ID != "b" {
		t.Errorf("keys = %+v, want a and b in order", keys)
	}
	if len(errs) != 2 {
		t.Fatalf("errors = %v, want the duplicate and the bad entry", errs)
	}
	var ke *payloadcodec.KeyError
	if !errors.As(errs[0], &ke) || ke.Index != 3 || !strings.Contains(ke.Err.Error(), `key ID "a" is used by an earlier key`) {
		t.Errorf("first error %v, want entry 3 a duplicate of a", errs[0])
	}
	if !errors.As(errs[1], &ke) || ke.Index != 4 {
		t.Errorf("second error %v, want entry 4", errs[1])
	}
	if _, err := payloadcodec.New([]string{" "}); err == nil || !strings.Contains(err.Error(), "no key given") {
		t.Errorf("New with no key: %v", err)
	}
	if _, err := payloadcodec.New([]string{a, "nope"}); err == nil || !strings.Contains(err.Error(), "key 2: ") {
		t.Errorf("New with a bad key: %v, want it to name key 2", err)
	}
}

// FuzzParseKey: any text parses into a 32-byte key with a valid ID or an
// error, and the error never repeats what came after the ":".
func FuzzParseKey(f *testing.F) {
	f.Add("k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)))
	f.Add("k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 31)))
	f.Add(":")
	f.Add("a:b:c")
	f.Add("\x00:\xff")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := payloadcodec.ParseKey(s)
		if err != nil {
			_, secret, _ := strings.Cut(strings.TrimSpace(s), ":")
			if len(secret) >= 8 && strings.Contains(err.Error(), secret) {
				t.Errorf("the error repeats the secret: %v", err)
			}
			return
		}
		if len(k.Secret) != payloadcodec.KeySize || k.ID == "" || strings.ContainsAny(k.ID, ": ") {
			t.Errorf("ParseKey(%q) = %+v", s, k)
		}
		if _, err := payloadcodec.New([]string{s}); err != nil {
			t.Errorf("a key ParseKey accepts makes no codec: %v", err)
		}
	})
}

// FuzzDecode: whatever bytes an encrypted payload carries, decoding fails
// with an error or succeeds, and never panics.
func FuzzDecode(f *testing.F) {
	c := newCodec(f, key(f, "k1"))
	good := encode(f, c, plain(f, "x"))[0]
	f.Add("k1", good.Data)
	f.Add("k1", []byte{})
	f.Add("k2", good.Data)
	f.Fuzz(func(t *testing.T, id string, data []byte) {
		p := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte(payloadcodec.Encoding), payloadcodec.MetadataKeyID: []byte(id)}, Data: data}
		if out, err := c.Decode([]*commonpb.Payload{p}); err == nil && len(out) != 1 {
			t.Errorf("Decode gave %d payloads for 1", len(out))
		}
	})
}
