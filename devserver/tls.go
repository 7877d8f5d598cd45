package devserver

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/server/common/config"

	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

// TLS puts the embedded frontend in TLS mode, as a self-hosted cluster
// behind TLS or mutual TLS is: plain gRPC is refused. It exists to test
// incidentflow's temporal.tls settings against a real server; a dev
// server in TLS mode serves no Web UI.
type TLS struct {
	// CertFile and KeyFile are the frontend's certificate and key (PEM);
	// the certificate must hold the name its clients check (127.0.0.1 or
	// ServerName).
	CertFile string
	KeyFile  string
	// ClientCAFile, when set, makes the frontend require a client
	// certificate signed by it (mutual TLS).
	ClientCAFile string

	// The server's own clients (its system worker and Start's setup)
	// trust CAFile, the CA that signed CertFile, expect ServerName on it
	// (empty: the frontend's host), and present ClientCertFile and
	// ClientKeyFile, signed by ClientCAFile.
	CAFile         string
	ServerName     string
	ClientCertFile string
	ClientKeyFile  string
}

// apply sets the frontend's TLS settings in conf.
func (t *TLS) apply(conf *config.Config) error {
	if t.CertFile == "" || t.KeyFile == "" || t.CAFile == "" {
		return errors.New("devserver TLS needs CertFile, KeyFile and CAFile")
	}
	if t.ClientCAFile != "" && (t.ClientCertFile == "" || t.ClientKeyFile == "") {
		return errors.New("devserver TLS with ClientCAFile needs ClientCertFile and ClientKeyFile for the server's own clients")
	}
	client := config.ClientTLS{ServerName: t.ServerName, RootCAFiles: []string{t.CAFile}}
	conf.Global.TLS.Frontend = config.GroupTLS{
		Server: config.ServerTLS{
			CertFile: t.CertFile, KeyFile: t.KeyFile,
			RequireClientAuth: t.ClientCAFile != "",
		},
		Client: client,
	}
	if t.ClientCAFile != "" {
		conf.Global.TLS.Frontend.Server.ClientCAFiles = []string{t.ClientCAFile}
	}
	conf.Global.TLS.SystemWorker = config.WorkerTLS{CertFile: t.ClientCertFile, KeyFile: t.ClientKeyFile, Client: client}
	return nil
}

// connection is how the server's own clients reach frontend.
func (t *TLS) connection(frontend, namespace string) (temporalclient.Connection, error) {
	if t == nil {
		return temporalclient.Connection{HostPort: frontend, Namespace: namespace}, nil
	}
	conn, ps := temporalclient.NewConnection(frontend, namespace, temporalclient.TLSFiles{
		CAFile: t.CAFile, CertFile: t.ClientCertFile, KeyFile: t.ClientKeyFile, ServerName: t.ServerName,
	}, "", time.Now())
	if len(ps) > 0 {
		return conn, fmt.Errorf("devserver TLS: %w", ps)
	}
	return conn, nil
}
