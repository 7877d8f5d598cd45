// Package payloadcodec encrypts the payloads incidentflow stores in
// Temporal with AES-256-GCM: workflow, activity, signal, update and query
// arguments and results, memos, summaries and (with the failure converter
// that internal/temporalclient sets) failure messages. Anyone who reads a
// history without the key, in the Web UI or in the database, sees
// ciphertext instead of incident text.
//
// Each encrypted payload names the key that encrypted it, so keys rotate:
// the first key encrypts, every key decrypts. A payload this codec did not
// encrypt (one recorded before encryption was turned on) passes through
// unchanged.
package payloadcodec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

const (
	// Encoding is the metadata "encoding" of an encrypted payload.
	Encoding = "binary/encrypted"
	// MetadataKeyID is the metadata field naming the key that encrypted a
	// payload.
	MetadataKeyID = "encryption-key-id"
	// KeySize is the length of a key: 32 bytes, for AES-256.
	KeySize = 32
)

// KeyFormat says how a key is written, for error messages and help.
const KeyFormat = "<key-id>:<base64 of 32 random bytes> (make the bytes with: openssl rand -base64 32)"

// keyID is what a key ID may be: it travels in every payload's metadata.
var keyID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Key is one named AES-256 key.
type Key struct {
	ID     string
	Secret []byte
}

// ParseKey reads a key written "<key-id>:<base64 of 32 bytes>". Its errors
// never repeat the secret.
func ParseKey(s string) (Key, error) {
	id, secret, found := strings.Cut(strings.TrimSpace(s), ":")
	switch {
	case !found:
		return Key{}, errors.New("a key is written " + KeyFormat + ", and this one has no \":\"")
	case id == "":
		return Key{}, errors.New("the key has no ID before the \":\"; write " + KeyFormat)
	case !keyID.MatchString(id):
		// Not echoed: a key written the wrong way round would put the
		// secret here.
		return Key{}, errors.New("the key ID before the \":\" must be 1 to 64 letters, digits, \".\", \"_\" or \"-\"")
	}
	raw, err := base64.StdEncoding.DecodeString(secret)
	if err != nil {
		return Key{}, fmt.Errorf("key %q: the part after the \":\" is not base64; write %s", id, KeyFormat)
	}
	if len(raw) != KeySize {
		return Key{}, fmt.Errorf("key %q is %d bytes long, not %d (AES-256); write %s", id, len(raw), KeySize, KeyFormat)
	}
	return Key{ID: id, Secret: raw}, nil
}

// KeyError is what is wrong with entry Index (from 0) of a list of keys.
type KeyError struct {
	Index int
	Err   error
}

func (e *KeyError) Error() string { return fmt.Sprintf("key %d: %v", e.Index+1, e.Err) }

func (e *KeyError) Unwrap() error { return e.Err }

// ParseKeys reads every entry of list that is not blank with ParseKey and
// checks that no two share an ID. It returns the keys in order, or one
// *KeyError per bad entry.
func ParseKeys(list []string) ([]Key, []error) {
	var keys []Key
	var errs []error
	seen := map[string]bool{}
	for i, s := range list {
		if strings.TrimSpace(s) == "" {
			continue
		}
		k, err := ParseKey(s)
		switch {
		case err != nil:
			errs = append(errs, &KeyError{Index: i, Err: err})
		case seen[k.ID]:
			errs = append(errs, &KeyError{Index: i, Err: fmt.Errorf("key ID %q is used by an earlier key: every key needs its own ID", k.ID)})
		default:
			seen[k.ID] = true
			keys = append(keys, k)
		}
	}
	return keys, errs
}

// Codec is a converter.PayloadCodec that encrypts every payload with its
// current key and decrypts payloads encrypted with any of its keys.
type Codec struct {
	current string
	ids     []string
	aeads   map[string]cipher.AEAD
}

var _ converter.PayloadCodec = (*Codec)(nil)

// New returns the codec of the keys in list (see ParseKeys): the first
// encrypts, every one decrypts.
func New(list []string) (*Codec, error) {
	keys, errs := ParseKeys(list)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(keys) == 0 {
		return nil, errors.New("no key given: a codec needs at least one key, written " + KeyFormat)
	}
	c := &Codec{current: keys[0].ID, aeads: make(map[string]cipher.AEAD, len(keys))}
	for _, k := range keys {
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k.ID, err)
		}
		c.ids = append(c.ids, k.ID)
		c.aeads[k.ID] = aead
	}
	return c, nil
}

// KeyID is the ID of the key that encrypts.
func (c *Codec) KeyID() string { return c.current }

// Encode encrypts each payload whole (its metadata and data) with the
// current key and a random nonce, into a payload whose metadata says
// Encoding and names the key.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.aeads[c.current]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return payloads, fmt.Errorf("encrypting a payload: it does not serialize: %w", err)
		}
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return payloads, fmt.Errorf("encrypting a payload: no random nonce: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(Encoding),
				MetadataKeyID:              []byte(c.current),
			},
			Data: aead.Seal(nonce, nonce, plain, nil),
		}
	}
	return out, nil
}

// Decode decrypts each payload Encode encrypted, with the key it names,
// and passes every other payload through unchanged. A payload encrypted
// with a key this codec lacks, or altered since, is an error that says so.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		d, err := c.decrypt(p)
		if err != nil {
			return payloads, err
		}
		out[i] = d
	}
	return out, nil
}

func (c *Codec) decrypt(p *commonpb.Payload) (*commonpb.Payload, error) {
	id, named := p.GetMetadata()[MetadataKeyID]
	if !named || len(id) == 0 {
		return nil, fmt.Errorf("an encrypted payload names no key (its metadata has no %s)", MetadataKeyID)
	}
	shown := string(id)
	if len(shown) > 64 {
		shown = shown[:64] + "…"
	}
	aead, ok := c.aeads[string(id)]
	if !ok {
		return nil, fmt.Errorf("a payload is encrypted with key %q, which is not configured (the keys are %s): add that key to temporal.codec.keys to read it", shown, strings.Join(c.ids, ", "))
	}
	data := p.GetData()
	if len(data) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("a payload encrypted with key %q is %d bytes, too short to be one: it was cut or altered", shown, len(data))
	}
	plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], nil)
	if err != nil {
		return nil, fmt.Errorf("a payload encrypted with key %q does not decrypt: it was altered, or the key named %q is not the one it was encrypted with", shown, shown)
	}
	var d commonpb.Payload
	if err := proto.Unmarshal(plain, &d); err != nil {
		return nil, fmt.Errorf("a payload encrypted with key %q decrypts to something that is not a payload: %w", shown, err)
	}
	return &d, nil
}
