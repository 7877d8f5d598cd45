// Package temporalclient holds the options every incidentflow process
// dials Temporal with: the CLI and `serve`, the embedded dev server's own
// setup, the end-to-end tests and the benchmark, so all of them talk to
// Temporal the same way. ConnectionOptions is the one place that sets how
// a connection is secured (TLS, mutual TLS, an API key; see
// NewConnection) and how payloads are encoded; Explain turns a failed
// dial into a sentence a responder can act on.
package temporalclient

import (
	"log/slog"
	"net"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/internal/metrics"
	"github.com/incidentflow/incidentflow/internal/payloadcodec"
)

// Options returns the client options for namespace on the Temporal
// frontend at hostPort, logging to logger.
//
// Requests are gzip-compressed (the SDK's default) only when hostPort is
// not a loopback address. On loopback, the embedded dev server or a local
// sidecar, compressing costs CPU at both ends and saves nothing: in the
// alert-storm benchmark it was a twentieth of all the CPU the process
// spent.
//
// The connection is plain gRPC; ConnectionOptions secures it.
func Options(hostPort, namespace string, logger *slog.Logger) client.Options {
	return ConnectionOptions(Connection{HostPort: hostPort, Namespace: namespace}, logger, nil)
}

// CodecOptions are Options whose payloads codec encodes on their way to
// Temporal and decodes on their way back: workflow, activity, signal,
// update and query arguments and results, memos and summaries, and, since
// failures encode their common attributes too, error messages and stack
// traces. Search attributes are never encoded (Temporal indexes them). A
// worker on such a client encodes what its workflows and activities
// record the same way. A nil codec leaves payloads as they are, as Options
// does.
func CodecOptions(hostPort, namespace string, logger *slog.Logger, codec *payloadcodec.Codec) client.Options {
	return ConnectionOptions(Connection{HostPort: hostPort, Namespace: namespace}, logger, codec)
}

// ConnectionOptions are the client options for conn: CodecOptions over
// conn's TLS settings and API key, the SDK's metrics going to
// metrics.SDKHandler (a worker's task latencies and slots on /metrics). With an API key and no TLS (a loopback
// address; see NewConnection) the key goes in plain text, which the SDK
// would otherwise refuse by turning TLS on.
func ConnectionOptions(conn Connection, logger *slog.Logger, codec *payloadcodec.Codec) client.Options {
	opts := client.Options{HostPort: conn.HostPort, Namespace: conn.Namespace, MetricsHandler: metrics.SDKHandler()}
	if logger != nil {
		opts.Logger = sdklog.NewStructuredLogger(logger)
	}
	if IsLoopback(conn.HostPort) {
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
	if conn.TLS != nil {
		opts.ConnectionOptions.TLS = conn.TLS.Clone()
	}
	if conn.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(conn.APIKey)
		opts.ConnectionOptions.TLSDisabled = conn.TLS == nil
	}
	if codec != nil {
		opts.DataConverter = DataConverter(codec)
		opts.FailureConverter = temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
			DataConverter: opts.DataConverter, EncodeCommonAttributes: true,
		})
	}
	return opts
}

// DataConverter is the data converter of a client dialed with
// CodecOptions and codec, for decoding what Temporal hands back raw (a
// listed workflow's memo, a schedule's arguments): the SDK's default, with
// codec over it unless codec is nil.
func DataConverter(codec *payloadcodec.Codec) converter.DataConverter {
	if codec == nil {
		return converter.GetDefaultDataConverter()
	}
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), codec)
}

// IsLoopback reports whether hostPort (host:port, or a bare host) names
// this machine: localhost or a loopback IP.
func IsLoopback(hostPort string) bool {
	host := hostPort
	if h, _, err := net.SplitHostPort(hostPort); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
