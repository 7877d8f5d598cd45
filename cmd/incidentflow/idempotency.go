package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/starter"
)

// maxIdempotencyKey is the longest --idempotency-key accepted.
const maxIdempotencyKey = 64

// idempotencyKey is the --idempotency-key of a verb that changes
// something. It names the change: run again with the same key (after
// "can't reach Temporal", a timeout, Ctrl-C), the verb joins its first
// attempt instead of applying the change twice. Without the flag the verb
// makes a key up, and says it whenever the outcome is uncertain.
type idempotencyKey struct {
	key   string
	given bool
}

// idempotencyFlag adds --idempotency-key to a verb's flags; what says what
// the same key does for this verb.
func idempotencyFlag(fs *pflag.FlagSet, what string) *idempotencyKey {
	k := &idempotencyKey{}
	fs.Var(k, "idempotency-key", what+"; letters, digits, - and _, at most 64 (default: a random key, printed when the outcome is uncertain)")
	return k
}

// Set reads the flag, refusing a key that isn't letters, digits, - and _,
// or is longer than maxIdempotencyKey.
func (k *idempotencyKey) Set(s string) error {
	if err := checkIdempotencyKey(s); err != nil {
		return err
	}
	k.key, k.given = s, true
	return nil
}

// String is the key given, for pflag.
func (k *idempotencyKey) String() string { return k.key }

// Type names the flag's value in --help.
func (k *idempotencyKey) Type() string { return "key" }

// checkIdempotencyKey says what is wrong with key, if anything.
func checkIdempotencyKey(key string) error {
	switch {
	case key == "":
		return errors.New("the key is empty; leave the flag out to get a random one")
	case len(key) > maxIdempotencyKey:
		return fmt.Errorf("the key is %d characters long; use at most %d", len(key), maxIdempotencyKey)
	case strings.IndexFunc(key, func(r rune) bool { return !isKeyRune(r) }) >= 0:
		return errors.New("use only letters, digits, - and _ in the key")
	}
	return nil
}

func isKeyRune(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' || r == '_'
}

// keyEncoding spells random keys: lowercase base32, easy to read back.
var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// randomKey is a fresh idempotency key of 12 characters (60 bits).
func randomKey() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return keyEncoding.EncodeToString(b)[:12]
}

// value is the key: the one given, else one made up once.
func (k *idempotencyKey) value() string {
	if k.key == "" {
		k.key = randomKey()
	}
	return k.key
}

// context marks ctx so that the Temporal update verb sends carries the key
// as its update ID (per verb, so one key reused for another verb is not
// mistaken for the first change).
func (k *idempotencyKey) context(ctx context.Context, verb string) context.Context {
	return starter.WithUpdateID(ctx, "cli-"+verb+"-"+k.value())
}

// done finishes a verb that changed something: the key joins its JSON
// result (an object), and an uncertain failure says how to retry it.
func (k *idempotencyKey) done(result any, human string, err error) (any, string, error) {
	if err != nil {
		return nil, "", k.explain(err)
	}
	withKey, err := k.addTo(result)
	return withKey, human, err
}

// addTo returns result, a JSON object, with the key as "idempotency_key".
func (k *idempotencyKey) addTo(result any) (map[string]json.RawMessage, error) {
	fields := map[string]json.RawMessage{}
	b, err := json.Marshal(result)
	if err == nil {
		err = json.Unmarshal(b, &fields)
	}
	if err != nil {
		return nil, fmt.Errorf("writing the result as JSON: %w", err)
	}
	fields["idempotency_key"], _ = json.Marshal(k.value())
	return fields, nil
}

// explain adds to err, when the change may have been applied although the
// verb failed, how to retry it without applying it twice.
func (k *idempotencyKey) explain(err error) error {
	var canceled *serviceerror.Canceled
	switch {
	case errors.Is(err, context.Canceled) || errors.As(err, &canceled):
		err = fmt.Errorf("interrupted before Temporal answered (%w)", err)
	case !uncertain(err):
		return err
	}
	how := "add"
	if k.given {
		how = "keep"
	}
	return fmt.Errorf("%w. If you retry, %s --idempotency-key %s so the first attempt, if it went through, isn't applied twice", err, how, k.value())
}

// uncertain reports whether err leaves open whether Temporal applied the
// change: it stopped answering, or the wait for its answer timed out.
func uncertain(err error) bool {
	var deadline *serviceerror.DeadlineExceeded
	var waiting *client.WorkflowUpdateServiceTimeoutOrCanceledError
	return errors.Is(err, starter.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &deadline) || errors.As(err, &waiting)
}
