package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/internal/certtest"
)

// tlsCluster is an embedded Temporal whose frontend speaks mutual TLS
// only, and the certificates of the test.
type tlsCluster struct {
	srv     *devserver.Server
	ca      *certtest.CA // signs the server's certificate
	clients *certtest.CA // signs the client certificates the server accepts
	client  certtest.Pair
}

func startTLSCluster(t *testing.T) *tlsCluster {
	t.Helper()
	k := &tlsCluster{ca: certtest.NewCA(t, "server-ca"), clients: certtest.NewCA(t, "client-ca")}
	server := k.ca.Server(t, "frontend", certtest.Options{})
	k.client = k.clients.Client(t, "incidentflow", certtest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{
		FrontendAddr: "127.0.0.1:0",
		Namespace:    "default",
		Logger:       slog.New(slog.DiscardHandler),
		TLS: &devserver.TLS{
			CertFile: server.CertFile, KeyFile: server.KeyFile, ClientCAFile: k.clients.CertFile,
			CAFile: k.ca.CertFile, ClientCertFile: k.client.CertFile, ClientKeyFile: k.client.KeyFile,
		},
	})
	if err != nil {
		t.Fatalf("start a TLS-only Temporal: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	k.srv = srv
	return k
}

// setup runs `incidentflow setup` against the cluster with env set.
func (k *tlsCluster) setup(t *testing.T, env map[string]string) (int, string, string) {
	t.Helper()
	hermetic(t, t.TempDir())
	t.Chdir(t.TempDir())
	for name, value := range env {
		t.Setenv(name, value)
	}
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := run(ctx, []string{"setup", "--temporal-address", k.srv.FrontendAddress()}, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestTLSClusterWithMutualTLS(t *testing.T) {
	k := startTLSCluster(t)
	wrongCA := certtest.NewCA(t, "someone-else")
	strangerCA := certtest.NewCA(t, "stranger")
	stranger := strangerCA.Client(t, "stranger", certtest.Options{})

	t.Run("good certificate", func(t *testing.T) {
		code, out, errOut := k.setup(t, map[string]string{
			"INCIDENTFLOW_TEMPORAL_TLS_CA_FILE":   k.ca.CertFile,
			"INCIDENTFLOW_TEMPORAL_TLS_CERT_FILE": k.client.CertFile,
			"INCIDENTFLOW_TEMPORAL_TLS_KEY_FILE":  k.client.KeyFile,
		})
		if code != 0 || !strings.Contains(out, "Temporal at "+k.srv.FrontendAddress()+" is ready: namespace default") {
			t.Fatalf("setup over mutual TLS: exit %d\n%s%s", code, out, errOut)
		}
	})

	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no client certificate", map[string]string{"INCIDENTFLOW_TEMPORAL_TLS_CA_FILE": k.ca.CertFile},
			"the Temporal server requires a client certificate (mutual TLS): set temporal.tls.cert_file and temporal.tls.key_file"},
		{"wrong CA", map[string]string{
			"INCIDENTFLOW_TEMPORAL_TLS_CA_FILE":   wrongCA.CertFile,
			"INCIDENTFLOW_TEMPORAL_TLS_CERT_FILE": k.client.CertFile,
			"INCIDENTFLOW_TEMPORAL_TLS_KEY_FILE":  k.client.KeyFile,
		}, "the Temporal server's certificate is not signed by temporal.tls.ca_file (" + wrongCA.CertFile + ")"},
		{"client certificate of another CA", map[string]string{
			"INCIDENTFLOW_TEMPORAL_TLS_CA_FILE":   k.ca.CertFile,
			"INCIDENTFLOW_TEMPORAL_TLS_CERT_FILE": stranger.CertFile,
			"INCIDENTFLOW_TEMPORAL_TLS_KEY_FILE":  stranger.KeyFile,
		}, "the Temporal server refused the client certificate in temporal.tls.cert_file (" + stranger.CertFile + ")"},
		{"wrong server name", map[string]string{
			"INCIDENTFLOW_TEMPORAL_TLS_CA_FILE":     k.ca.CertFile,
			"INCIDENTFLOW_TEMPORAL_TLS_CERT_FILE":   k.client.CertFile,
			"INCIDENTFLOW_TEMPORAL_TLS_KEY_FILE":    k.client.KeyFile,
			"INCIDENTFLOW_TEMPORAL_TLS_SERVER_NAME": "temporal.example.com",
		}, "the Temporal server's certificate does not hold the name incidentflow checks, temporal.example.com"},
		{"plain gRPC", nil,
			"closed the connection before answering: it probably requires TLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := k.setup(t, tc.env)
			if code == 0 {
				t.Fatalf("setup succeeded:\n%s", out)
			}
			t.Logf("setup said: %s", errOut)
			if !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("setup said\n%s\nwant one line with %q", errOut, tc.want)
			}
		})
	}

	// The worker's readiness probe over the same TLS settings.
	t.Run("readyz over mutual TLS", func(t *testing.T) {
		code, out, errOut := k.setup(t, map[string]string{
			"INCIDENTFLOW_TEMPORAL_TLS_CA_FILE":   k.ca.CertFile,
			"INCIDENTFLOW_TEMPORAL_TLS_CERT_FILE": k.client.CertFile,
			"INCIDENTFLOW_TEMPORAL_TLS_KEY_FILE":  k.client.KeyFile,
			"INCIDENTFLOW_TEMPORAL_ADDRESS":       k.srv.FrontendAddress(),
		})
		if code != 0 {
			t.Fatalf("setup: %s%s", out, errOut)
		}
		f := newConfigFlags("worker", "")
		cfg, err := f.load(nil)
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := connect(context.Background(), cfg, slog.New(slog.DiscardHandler), setUpNamespace)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		rec := httptest.NewRecorder()
		temporalProbe(cfg, c).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != http.StatusOK || string(body) != "ready\n" {
			t.Errorf("readyz: %d %q", rec.Code, body)
		}
	})
}

// TestTLSPlainServer: TLS settings against a plain-gRPC Temporal say so.
func TestTLSPlainServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{FrontendAddr: "127.0.0.1:0", NoUI: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop() }()
	ca := certtest.NewCA(t, "ca")
	k := &tlsCluster{srv: srv}
	code, out, errOut := k.setup(t, map[string]string{"INCIDENTFLOW_TEMPORAL_TLS_CA_FILE": ca.CertFile})
	want := fmt.Sprintf("the server at %s answers plain gRPC, not TLS: remove the temporal.tls settings", srv.FrontendAddress())
	if code == 0 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d\n%s%s\nwant %q", code, out, errOut, want)
	}
}
