package temporalclient_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

// FuzzNewConnection feeds arbitrary bytes as the CA, certificate and key
// files: NewConnection never panics, and either builds a TLS config or
// names a problem, one line each, for a setting it was given.
func FuzzNewConnection(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "temporal.example.com")
	f.Add([]byte(""), []byte("\x00\xff"), "a b")
	f.Fuzz(func(t *testing.T, cert, key []byte, serverName string) {
		dir := t.TempDir()
		certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
		if err := os.WriteFile(certFile, cert, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(keyFile, key, 0o600); err != nil {
			t.Fatal(err)
		}
		conn, ps := temporalclient.NewConnection("temporal:7233", "default",
			temporalclient.TLSFiles{CAFile: certFile, CertFile: certFile, KeyFile: keyFile, ServerName: serverName}, "", time.Now())
		if len(ps) == 0 && conn.TLS == nil {
			t.Fatal("no problem and no TLS config")
		}
		for _, p := range ps {
			switch p.Field {
			case "ca_file", "cert_file", "key_file", "server_name":
			default:
				t.Errorf("problem about %q", p.Field)
			}
			if p.Field != "server_name" && strings.ContainsAny(p.Message, "\n\r") {
				t.Errorf("problem on more than one line: %q", p.Message)
			}
		}
	})
}
