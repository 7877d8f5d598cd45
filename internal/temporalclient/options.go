// Package temporalclient holds the options every incidentflow process
// dials Temporal with: the CLI and `serve`, the embedded dev server's own
// setup, the end-to-end tests and the benchmark, so all of them talk to
// Temporal the same way.
package temporalclient

import (
	"log/slog"
	"net"
	"strings"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// Options returns the client options for namespace on the Temporal
// frontend at hostPort, logging to logger.
//
// Requests are gzip-compressed (the SDK's default) only when hostPort is
// not a loopback address. On loopback, the embedded dev server or a local
// sidecar, compressing costs CPU at both ends and saves nothing: in the
// alert-storm benchmark it was a twentieth of all the CPU the process
// spent.
func Options(hostPort, namespace string, logger *slog.Logger) client.Options {
	opts := client.Options{HostPort: hostPort, Namespace: namespace}
	if logger != nil {
		opts.Logger = sdklog.NewStructuredLogger(logger)
	}
	if IsLoopback(hostPort) {
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
	return opts
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
