package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	commonpb "go.temporal.io/api/common/v1"

	"github.com/incidentflow/incidentflow/internal/payloadcodec"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// newKey writes a fresh key for temporal.codec.keys.
func newKey(t *testing.T, id string) string {
	t.Helper()
	b := make([]byte, payloadcodec.KeySize)
	_, _ = rand.Read(b)
	return id + ":" + base64.StdEncoding.EncodeToString(b)
}

// TestDevWithCodecKeys: with temporal.codec.keys set, dev's worker and
// front door and the CLI verbs encrypt everything they give Temporal; the
// CLI still reads incidents and maintenance windows; a client without the
// key finds ciphertext; the front door's /codec/decode decrypts it for the
// bearer of temporal.codec.token only; a CLI with other keys says which
// key it lacks.
func TestDevWithCodecKeys(t *testing.T) {
	key, token := newKey(t, "dev-1"), "a-codec-token-for-the-test"
	t.Setenv("INCIDENTFLOW_TEMPORAL_CODEC_KEYS", key)
	t.Setenv("INCIDENTFLOW_TEMPORAL_CODEC_TOKEN", token)
	d := startDev(t, t.TempDir())
	if !strings.Contains(d.out.String(), "Payload codec     incident text encrypted in Temporal with key dev-1; POST "+d.http+"/codec/decode") {
		t.Errorf("dev's banner does not describe the codec:\n%s", d.out.String())
	}

	out, code := d.cli(t, "declare", "--title", "Checkout zebraquartz down", "--severity", "critical", "--as", "U0ALICE", "--json")
	if code != 0 {
		t.Fatalf("declare exited %d: %s", code, out)
	}
	var room struct {
		ID         string `json:"id"`
		WorkflowID string `json:"workflow_id"`
	}
	if err := json.Unmarshal([]byte(out), &room); err != nil || room.WorkflowID == "" {
		t.Fatalf("declare --json printed %q (%v)", out, err)
	}
	if out, code := d.cli(t, "status", "--incident", room.ID); code != 0 || !strings.Contains(out, "zebraquartz") {
		t.Errorf("status with the key (%d): %s", code, out)
	}
	waitFor(t, "the incident listed with its title", func() bool {
		out, code := d.cli(t, "list")
		return code == 0 && strings.Contains(out, "Checkout zebraquartz down")
	})
	start := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if out, code := d.cli(t, "maintenance", "schedule", "--id", "db-upgrade", "--title", "Quokka database upgrade", "--start", start, "--duration", "1h"); code != 0 {
		t.Fatalf("maintenance schedule exited %d: %s", code, out)
	}
	if out, code := d.cli(t, "maintenance", "list"); code != 0 || !strings.Contains(out, "Quokka database upgrade") {
		t.Errorf("maintenance list with the key (%d): %s", code, out)
	}

	// Without the key: ciphertext.
	plain, err := client.Dial(temporalclient.Options(d.temporal, "default", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := plain.GetWorkflowHistory(ctx, room.WorkflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	first, err := iter.Next()
	if err != nil {
		t.Fatal(err)
	}
	start0 := first.GetWorkflowExecutionStartedEventAttributes()
	input := start0.GetInput().GetPayloads()
	memo := start0.GetMemo().GetFields()[wfapi.MemoTitle]
	if len(input) == 0 || string(input[0].Metadata["encoding"]) != payloadcodec.Encoding || string(memo.GetMetadata()["encoding"]) != payloadcodec.Encoding {
		t.Fatalf("the declaration is not encrypted in Temporal: input %v, memo %v", input, memo)
	}
	if bytes.Contains(input[0].Data, []byte("zebraquartz")) {
		t.Error("the encrypted input holds the title")
	}

	// The codec endpoint decrypts it for the token's bearer.
	body, _ := protojson.Marshal(&commonpb.Payloads{Payloads: input[:1]})
	decode := func(auth string) (int, string) {
		req, _ := http.NewRequest("POST", d.http+"/codec/decode", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, text := decode(""); code != http.StatusUnauthorized {
		t.Errorf("decode without the token: %d %q", code, text)
	}
	code, text := decode("Bearer " + token)
	var decoded commonpb.Payloads
	if code != http.StatusOK || protojson.Unmarshal([]byte(text), &decoded) != nil || len(decoded.Payloads) != 1 ||
		!strings.Contains(string(decoded.Payloads[0].Data), "Checkout zebraquartz down") {
		t.Errorf("decode with the token: %d %q", code, text)
	}

	// A CLI with other keys names the one it lacks.
	t.Setenv("INCIDENTFLOW_TEMPORAL_CODEC_KEYS", newKey(t, "other"))
	if out, code := d.cli(t, "status", "--incident", room.ID); code == 0 || !strings.Contains(out, `encrypted with key "dev-1", which is not configured`) {
		t.Errorf("status with another key (%d): %s", code, out)
	}
}
