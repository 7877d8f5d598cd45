package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/internal/certtest"
)

func TestTemporalTLSFromEnvironment(t *testing.T) {
	isolate(t)
	ca := certtest.NewCA(t, "temporal")
	pair := ca.Client(t, "incidentflow", certtest.Options{})
	t.Setenv("INCIDENTFLOW_TEMPORAL_ADDRESS", "temporal.example.com:7233")
	t.Setenv("INCIDENTFLOW_TEMPORAL_TLS_CA_FILE", ca.CertFile)
	t.Setenv("INCIDENTFLOW_TEMPORAL_TLS_CERT_FILE", pair.CertFile)
	t.Setenv("INCIDENTFLOW_TEMPORAL_TLS_KEY_FILE", pair.KeyFile)
	t.Setenv("INCIDENTFLOW_TEMPORAL_TLS_SERVER_NAME", "frontend.temporal.internal")
	t.Setenv("INCIDENTFLOW_TEMPORAL_API_KEY", "an-api-key")
	c := mustLoad(t, "", nil)
	want := config.TemporalTLS{CAFile: ca.CertFile, CertFile: pair.CertFile, KeyFile: pair.KeyFile, ServerName: "frontend.temporal.internal"}
	if c.Temporal.TLS != want || c.Temporal.APIKey != "an-api-key" {
		t.Fatalf("temporal = %+v", c.Temporal)
	}
	conn, err := c.Temporal.Connection(c.Temporal.Address, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if conn.TLS == nil || conn.TLS.ServerName != "frontend.temporal.internal" || conn.TLS.GetClientCertificate == nil || conn.APIKey != "an-api-key" {
		t.Errorf("connection = %+v", conn)
	}
	// incidentflow dev's Temporal (another address) is dialed plainly.
	dev, err := c.Temporal.Connection("127.0.0.1:7233", time.Now())
	if err != nil || dev.TLS != nil || dev.APIKey != "" {
		t.Errorf("dev connection = %+v, %v", dev, err)
	}
}

func TestTemporalAPIKeyTurnsTLSOn(t *testing.T) {
	isolate(t)
	path := writeConfig(t, "temporal:\n  address: incidents.a1b2c.tmprl.cloud:7233\n  namespace: incidents.a1b2c\n  api_key: k\n")
	c := mustLoad(t, path, nil)
	conn, err := c.Temporal.Connection(c.Temporal.Address, time.Now())
	if err != nil || conn.TLS == nil || conn.TLS.ServerName != "incidents.a1b2c.tmprl.cloud" || conn.TLS.RootCAs != nil {
		t.Fatalf("connection %+v, %v: want TLS with the system's roots", conn.TLS, err)
	}
}

// TestTemporalTLSProblems loads a file with one mistake at a time and
// checks the one line Load gives for it.
func TestTemporalTLSProblems(t *testing.T) {
	ca := certtest.NewCA(t, "temporal")
	good := ca.Client(t, "good", certtest.Options{})
	expired := ca.Client(t, "old", certtest.Options{NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2021, 3, 4, 5, 6, 0, 0, time.UTC)})
	otherKey := certtest.NewKeyFile(t, t.TempDir())
	const addr = "temporal:\n  address: temporal.example.com:7233\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"missing CA", addr + "  tls:\n    ca_file: /nonexistent/ca.pem\n",
			"temporal.tls.ca_file: file /nonexistent/ca.pem does not exist"},
		{"expired certificate", addr + "  tls:\n    cert_file: " + expired.CertFile + "\n    key_file: " + expired.KeyFile + "\n",
			"temporal.tls.cert_file: the certificate in " + expired.CertFile + " (CN=old) expired on 2021-03-04 05:06 UTC: get a new one"},
		{"key of another certificate", addr + "  tls:\n    cert_file: " + good.CertFile + "\n    key_file: " + otherKey + "\n",
			"temporal.tls.key_file: the private key in " + otherKey + " does not match the certificate in " + good.CertFile + ": use the key the certificate was issued for"},
		{"certificate without key", addr + "  tls:\n    cert_file: " + good.CertFile + "\n",
			"temporal.tls.key_file: is empty, but temporal.tls.cert_file is set: a client certificate needs its private key (set temporal.tls.key_file)"},
		{"api key with a line break", addr + "  api_key: \"abc\\ndef\"\n",
			"temporal.api_key: contains a space, a line break or a control character, which no API key has: set it to the key alone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			_, err := config.Load(writeConfig(t, tc.yaml), nil)
			var ps config.Problems
			if !errors.As(err, &ps) || len(ps) != 1 {
				t.Fatalf("Load: %v, want one problem", err)
			}
			if got := ps[0].Error(); got != tc.want {
				t.Errorf("problem\n got %s\nwant %s", got, tc.want)
			}
			if strings.Contains(err.Error(), "abc") {
				t.Error("the API key is echoed")
			}
		})
	}
}

func TestTemporalTLSIgnoredForDev(t *testing.T) {
	// Without temporal.address (incidentflow dev), the files are not read.
	isolate(t)
	c := mustLoad(t, writeConfig(t, "temporal:\n  tls:\n    ca_file: /nonexistent/ca.pem\n"), nil)
	if conn, err := c.Temporal.Connection("127.0.0.1:7233", time.Now()); err != nil || conn.TLS != nil {
		t.Errorf("dev connection %+v, %v", conn, err)
	}
}

func TestWorkerListen(t *testing.T) {
	isolate(t)
	if c := mustLoad(t, "", nil); c.Worker.Listen != "" {
		t.Errorf("worker.listen defaults to %q, want none", c.Worker.Listen)
	}
	t.Setenv("INCIDENTFLOW_WORKER_LISTEN", ":9090")
	if c := mustLoad(t, "", nil); c.Worker.Listen != ":9090" {
		t.Errorf("worker.listen = %q", c.Worker.Listen)
	}
	t.Setenv("INCIDENTFLOW_WORKER_LISTEN", "9090")
	_, err := config.Load("", nil)
	if err == nil || !strings.Contains(err.Error(), `worker.listen: "9090" is not allowed: an address for the worker's /healthz, /readyz and /metrics as host:port`) {
		t.Errorf("Load: %v", err)
	}
}
