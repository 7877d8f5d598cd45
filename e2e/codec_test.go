package e2e_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/payloadcodec"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestIncidentTextIsEncryptedInTemporal: with temporal.codec.keys set, the
// starter and the worker encrypt every payload, so the histories, memos
// and search attributes a client without the key reads hold no trace of
// an incident's title, summary, updates or resolution, while a client with
// the codec reads the incident as usual. A security incident's memo and
// search attributes carry no title even decrypted.
func TestIncidentTextIsEncryptedInTemporal(t *testing.T) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	secret := make([]byte, payloadcodec.KeySize)
	_, _ = rand.Read(secret)
	codec, err := payloadcodec.New([]string{"e2e-1:" + base64.StdEncoding.EncodeToString(secret)})
	require.NoError(t, err)
	cc, err := client.Dial(temporalclient.CodecOptions(env.Temporal.FrontendAddress(), env.Temporal.Namespace(), slog.New(slog.DiscardHandler), codec))
	require.NoError(t, err)
	t.Cleanup(cc.Close)
	incidents := &starter.Incidents{Client: cc, TaskQueue: harness.TaskQueue, Process: testProcess(),
		DataConverter: temporalclient.DataConverter(codec)}
	w := codecWorker(t, env, cc)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// Words that appear only in the incidents' text.
	words := []string{"zebraquartz", "xylophonic", "quokkafix", "dingleberry", "marmalade", "kumquat"}
	d := declaration("e2ecodec")
	d.Title, d.Summary = "Checkout zebraquartz down", "Payments xylophonic failure"
	sec := declaration("e2ecodecsec")
	sec.Title, sec.Summary, sec.Security = "Signing key marmalade leaked", "Rotate kumquat now", true
	room, err := incidents.Declare(ctx, d, true)
	require.NoError(t, err)
	secRoom, err := incidents.Declare(ctx, sec, true)
	require.NoError(t, err)
	require.NoError(t, incidents.PostStatus(ctx, d.ID, wfapi.PostStatusRequest{
		Author: slackemu.UserBob, Status: incident.Mitigated, Text: "Rolled back quokkafix"}))

	// With the codec, the incident reads as usual.
	inc, err := incidents.Get(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, d.Title, inc.Declaration.Title)
	assert.Equal(t, d.Summary, inc.Declaration.Summary)
	require.NotEmpty(t, inc.Updates)
	assert.Equal(t, "Rolled back quokkafix", inc.Updates[len(inc.Updates)-1].Text)

	// The list's titles come from the memo, decrypted (no worker answers
	// a query now); the security incident's is no title.
	w.Stop()
	worker.PurgeStickyWorkflowCache()
	harness.Eventually(t, 10*time.Second, "both incidents listed with their memo's titles", func() bool {
		list, err := incidents.List(ctx)
		titles := map[string]string{}
		for _, s := range list {
			titles[s.ID] = s.Title
		}
		return err == nil && titles[d.ID] == d.Title && titles[sec.ID] == wfapi.ListedTitle(sec)
	})

	// Without the codec, the visibility records hold ciphertext memos and
	// search attributes without a word of the incidents.
	listed, err := env.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: env.Temporal.Namespace()})
	require.NoError(t, err)
	require.Len(t, listed.Executions, 2)
	for _, ex := range listed.Executions {
		memo := ex.GetMemo().GetFields()[wfapi.MemoTitle]
		require.NotNil(t, memo, "%s has a memo title", ex.Execution.WorkflowId)
		assert.Equal(t, payloadcodec.Encoding, string(memo.Metadata["encoding"]), "%s's memo is encrypted", ex.Execution.WorkflowId)
		assertNoTrace(t, ex, words, "the visibility record of "+ex.Execution.WorkflowId)
		for name, p := range ex.GetSearchAttributes().GetIndexedFields() {
			assertNoTrace(t, p, []string{"security incident", "Signing", "Checkout"}, "search attribute "+name)
		}
	}

	codecWorker(t, env, cc)
	require.NoError(t, incidents.Resolve(ctx, d.ID, wfapi.ResolveRequest{By: d.Declarer, Summary: "Fixed by dingleberry"}))
	var resolved incident.Incident
	require.NoError(t, cc.GetWorkflow(ctx, room.WorkflowID, "").Get(ctx, &resolved))
	assert.True(t, resolved.IsResolved())
	assert.Equal(t, "Fixed by dingleberry", resolved.Resolution)
	var unread incident.Incident
	assert.Error(t, env.Client.GetWorkflow(ctx, room.WorkflowID, "").Get(ctx, &unread), "a client without the codec cannot read the result")

	for _, wfID := range []string{room.WorkflowID, secRoom.WorkflowID} {
		events := rawHistory(ctx, t, env.Client, wfID)
		var payloads []*commonpb.Payload
		for _, ev := range events {
			assertNoTrace(t, ev, words, wfID+" event "+ev.GetEventType().String())
			collectPayloads(ev.ProtoReflect(), &payloads)
		}
		require.NotEmpty(t, payloads)
		for _, p := range payloads {
			assert.Equal(t, payloadcodec.Encoding, string(p.Metadata["encoding"]), "%s: a payload in plain text: %v", wfID, p)
		}
		// The text is there, encrypted: the codec reads the title back
		// from the workflow's input.
		start, err := codec.Decode(events[0].GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads())
		require.NoError(t, err)
		assert.Contains(t, string(start[0].Data), map[string]string{room.WorkflowID: d.Title, secRoom.WorkflowID: sec.Title}[wfID])
	}
}

// codecWorker starts a worker of the incident workflow on cc, the client
// with the codec; it stops when the test ends, or earlier with Stop.
func codecWorker(t *testing.T, env *harness.Env, cc client.Client) worker.Worker {
	t.Helper()
	w := worker.New(cc, harness.TaskQueue, worker.Options{})
	register(env, testProcess())(w)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return w
}

// rawHistory is workflowID's history as Temporal stores it.
func rawHistory(ctx context.Context, t *testing.T, c client.Client, workflowID string) []*historypb.HistoryEvent {
	t.Helper()
	var events []*historypb.HistoryEvent
	iter := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		require.NoError(t, err)
		events = append(events, ev)
	}
	return events
}

// assertNoTrace fails unless m's wire form, in which every string and
// every payload's bytes appear as they are, holds none of words.
func assertNoTrace(t *testing.T, m proto.Message, words []string, what string) {
	t.Helper()
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	for _, w := range words {
		assert.False(t, bytes.Contains(b, []byte(w)), "%s holds %q in plain text", what, w)
	}
}

// collectPayloads appends every payload in m to out, except search
// attributes, which Temporal indexes and no codec touches.
func collectPayloads(m protoreflect.Message, out *[]*commonpb.Payload) {
	switch v := m.Interface().(type) {
	case *commonpb.Payload:
		*out = append(*out, v)
		return
	case *commonpb.SearchAttributes:
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i := range v.List().Len() {
				collectPayloads(v.List().Get(i).Message(), out)
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				collectPayloads(mv.Message(), out)
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			collectPayloads(v.Message(), out)
		}
		return true
	})
}
