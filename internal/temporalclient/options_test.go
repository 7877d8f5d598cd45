package temporalclient_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/internal/payloadcodec"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

func TestIsLoopback(t *testing.T) {
	for hostPort, want := range map[string]bool{
		"127.0.0.1:7233":             true,
		"127.8.9.1:7233":             true,
		"[::1]:7233":                 true,
		"localhost:7233":             true,
		"LOCALHOST":                  true,
		"temporal.localhost:7233":    true,
		"10.0.0.5:7233":              false,
		"temporal-frontend:7233":     false,
		"my.cluster.tmprl.cloud:443": false,
		"[2001:db8::1]:7233":         false,
		"":                           false,
	} {
		if got := temporalclient.IsLoopback(hostPort); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", hostPort, got, want)
		}
	}
}

func TestOptionsCompressOnlyOverTheNetwork(t *testing.T) {
	local := temporalclient.Options("127.0.0.1:7233", "incidentflow", nil)
	if _, ok := local.ConnectionOptions.GrpcCompression.(*client.GrpcCompressionNone); !ok {
		t.Errorf("loopback: compression %T, want none", local.ConnectionOptions.GrpcCompression)
	}
	remote := temporalclient.Options("temporal-frontend:7233", "incidentflow", nil)
	if remote.ConnectionOptions.GrpcCompression != nil {
		t.Errorf("remote: compression %T, want the SDK's default (gzip)", remote.ConnectionOptions.GrpcCompression)
	}
	if remote.HostPort != "temporal-frontend:7233" || remote.Namespace != "incidentflow" {
		t.Errorf("options = %+v", remote)
	}
}

func TestCodecOptions(t *testing.T) {
	plain := temporalclient.CodecOptions("127.0.0.1:7233", "incidentflow", nil, nil)
	if plain.DataConverter != nil || plain.FailureConverter != nil {
		t.Errorf("without a codec: converters %T, %T, want the SDK's defaults", plain.DataConverter, plain.FailureConverter)
	}
	codec, err := payloadcodec.New([]string{"k1:" + base64.StdEncoding.EncodeToString(make([]byte, payloadcodec.KeySize))})
	if err != nil {
		t.Fatal(err)
	}
	opts := temporalclient.CodecOptions("127.0.0.1:7233", "incidentflow", nil, codec)
	if opts.HostPort != "127.0.0.1:7233" || opts.Namespace != "incidentflow" {
		t.Errorf("options = %+v", opts)
	}
	p, err := opts.DataConverter.ToPayload("Checkout is down")
	if err != nil || string(p.Metadata["encoding"]) != payloadcodec.Encoding {
		t.Fatalf("the data converter does not encrypt: %v, %v", p, err)
	}

	// Failure messages are encrypted too, and read back by the same
	// converter.
	f := opts.FailureConverter.ErrorToFailure(temporal.NewApplicationError("title Checkout is down is too long", "TooLong"))
	if strings.Contains(f.GetMessage(), "Checkout") || f.GetEncodedAttributes() == nil {
		t.Errorf("failure message %q left in plain text", f.GetMessage())
	}
	if string(f.GetEncodedAttributes().GetMetadata()["encoding"]) != payloadcodec.Encoding {
		t.Errorf("the failure's encoded attributes are not encrypted: %v", f.GetEncodedAttributes().GetMetadata())
	}
	back := opts.FailureConverter.FailureToError(f)
	if !strings.Contains(back.Error(), "title Checkout is down is too long") {
		t.Errorf("failure read back as %q", back)
	}

	var s string
	if err := temporalclient.DataConverter(codec).FromPayload(p, &s); err != nil || s != "Checkout is down" {
		t.Errorf("DataConverter(codec) reads %q, %v", s, err)
	}
	if err := temporalclient.DataConverter(nil).FromPayload(p, &s); err == nil {
		t.Error("the default data converter read an encrypted payload")
	}
}
