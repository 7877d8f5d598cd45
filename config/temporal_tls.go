package config

import (
	"time"

	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

// TemporalTLS secures the connection to temporal.address with TLS: a
// self-hosted cluster's private CA, mutual TLS with a client certificate
// (self-hosted or Temporal Cloud), the name to expect on the server's
// certificate. Any key set turns TLS on. The files are read, and checked,
// at start.
type TemporalTLS struct {
	// CAFile is a PEM file of the CA certificates that sign the server's
	// certificate; empty means the system's roots.
	CAFile string `mapstructure:"ca_file"`
	// CertFile and KeyFile are the client certificate and its unencrypted
	// private key (PEM) for mutual TLS: both or neither.
	CertFile string `mapstructure:"cert_file"`
	KeyFile  string `mapstructure:"key_file"`
	// ServerName is the name the server's certificate must hold; empty
	// means the host of temporal.address.
	ServerName string `mapstructure:"server_name"`
}

// Files are the settings as temporalclient reads them.
func (t TemporalTLS) Files() temporalclient.TLSFiles {
	return temporalclient.TLSFiles{CAFile: t.CAFile, CertFile: t.CertFile, KeyFile: t.KeyFile, ServerName: t.ServerName}
}

// Connection is how to reach the Temporal at hostPort with these settings
// (temporal.tls, temporal.api_key) as of now; its error is a Problems
// naming each bad key. Only temporal.address is dialed with them: the
// embedded Temporal of incidentflow dev speaks plain gRPC, so for it
// (hostPort other than Address) the connection is plain and carries no
// API key.
func (t Temporal) Connection(hostPort string, now time.Time) (temporalclient.Connection, error) {
	if t.Address == "" || hostPort != t.Address {
		return temporalclient.Connection{HostPort: hostPort, Namespace: t.Namespace}, nil
	}
	conn, ps := temporalclient.NewConnection(hostPort, t.Namespace, t.TLS.Files(), t.APIKey, now)
	if len(ps) > 0 {
		return conn, connectionProblems(ps)
	}
	return conn, nil
}

// connectionProblems checks temporal.tls and temporal.api_key as of now:
// one problem per key (file missing or unreadable, not PEM, certificate
// expired or not yet valid, key that doesn't match its certificate,
// certificate without key). Nothing is checked while temporal.address is
// empty (incidentflow dev's Temporal, dialed in plain gRPC), except an API
// key that can't be one.
func (t Temporal) connectionProblems(now time.Time) Problems {
	hostPort := t.Address
	files := t.TLS.Files()
	if hostPort == "" {
		// Check only the key's own shape: the files are not used.
		files = temporalclient.TLSFiles{}
		hostPort = "127.0.0.1:7233"
	}
	_, ps := temporalclient.NewConnection(hostPort, t.Namespace, files, t.APIKey, now)
	return connectionProblems(ps)
}

// connectionProblems names each of ps by its key.
func connectionProblems(ps temporalclient.Problems) Problems {
	var out Problems
	for _, p := range ps {
		key := "temporal.tls." + p.Field
		if p.Field == "api_key" {
			key = "temporal.api_key"
		}
		out = append(out, Problem{Key: key, Message: p.Message})
	}
	return out
}
