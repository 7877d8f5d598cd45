package temporalclient_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/internal/certtest"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

// problemOf is the only problem in ps, for field; it fails otherwise.
func problemOf(t *testing.T, ps temporalclient.Problems, field string) string {
	t.Helper()
	if len(ps) != 1 || ps[0].Field != field {
		t.Fatalf("problems = %v, want one about %s", ps, field)
	}
	return ps[0].Message
}

func TestNewConnectionMutualTLS(t *testing.T) {
	ca := certtest.NewCA(t, "clients")
	pair := ca.Client(t, "worker", certtest.Options{})
	conn, ps := temporalclient.NewConnection("temporal.example.com:7233", "incidents",
		temporalclient.TLSFiles{CAFile: ca.CertFile, CertFile: pair.CertFile, KeyFile: pair.KeyFile}, "", time.Now())
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if conn.TLS == nil || conn.TLS.ServerName != "temporal.example.com" || conn.TLS.GetClientCertificate == nil || conn.TLS.RootCAs == nil {
		t.Fatalf("TLS config = %+v", conn.TLS)
	}
	first, err := conn.TLS.GetClientCertificate(&tls.CertificateRequestInfo{})
	if err != nil || len(first.Certificate) == 0 {
		t.Fatalf("client certificate: %v, %v", first, err)
	}

	// A certificate rotated on disk is presented from the next handshake.
	rotated := ca.Client(t, "rotated", certtest.Options{})
	for _, f := range [][2]string{{rotated.CertFile, pair.CertFile}, {rotated.KeyFile, pair.KeyFile}} {
		b, err := os.ReadFile(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f[1], b, 0o600); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Minute)
		if err := os.Chtimes(f[1], later, later); err != nil {
			t.Fatal(err)
		}
	}
	second, err := conn.TLS.GetClientCertificate(&tls.CertificateRequestInfo{})
	if err != nil || bytes.Equal(second.Certificate[0], first.Certificate[0]) || !bytes.Equal(second.Certificate[0], rotated.Cert.Raw) {
		t.Errorf("after rotation the old certificate is presented (%v)", err)
	}
	// A half-written rotation keeps the last good pair.
	if err := os.WriteFile(pair.KeyFile, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	if third, err := conn.TLS.GetClientCertificate(&tls.CertificateRequestInfo{}); err != nil || !bytes.Equal(third.Certificate[0], rotated.Cert.Raw) {
		t.Errorf("a broken key file replaced the good pair (%v)", err)
	}
	opts := temporalclient.ConnectionOptions(conn, nil, nil)
	if opts.ConnectionOptions.TLS == nil || opts.ConnectionOptions.TLSDisabled || opts.Credentials != nil {
		t.Errorf("options = %+v", opts.ConnectionOptions)
	}
	if opts.ConnectionOptions.GrpcCompression != nil {
		t.Error("a remote cluster lost gzip compression")
	}
}

func TestNewConnectionServerName(t *testing.T) {
	conn, ps := temporalclient.NewConnection("10.0.0.5:7233", "default", temporalclient.TLSFiles{ServerName: "temporal.internal"}, "", time.Now())
	if len(ps) > 0 || conn.TLS.ServerName != "temporal.internal" || conn.TLS.RootCAs != nil {
		t.Fatalf("conn %+v, %v", conn.TLS, ps)
	}
	_, ps = temporalclient.NewConnection("10.0.0.5:7233", "default", temporalclient.TLSFiles{ServerName: "https://temporal.internal"}, "", time.Now())
	if msg := problemOf(t, ps, "server_name"); !strings.Contains(msg, "not a host name") {
		t.Error(msg)
	}
}

func TestNewConnectionAPIKey(t *testing.T) {
	// Temporal Cloud: the key turns TLS on, with the system's roots.
	conn, ps := temporalclient.NewConnection("my-ns.a1b2c.tmprl.cloud:7233", "my-ns.a1b2c", temporalclient.TLSFiles{}, "key-123", time.Now())
	if len(ps) > 0 || conn.TLS == nil || conn.TLS.RootCAs != nil || conn.TLS.ServerName != "my-ns.a1b2c.tmprl.cloud" {
		t.Fatalf("conn %+v, %v", conn.TLS, ps)
	}
	opts := temporalclient.ConnectionOptions(conn, nil, nil)
	if opts.Credentials == nil || opts.ConnectionOptions.TLSDisabled || opts.ConnectionOptions.TLS == nil {
		t.Errorf("options = %+v, credentials %v", opts.ConnectionOptions, opts.Credentials)
	}

	// A loopback address (a sidecar proxy) keeps plain gRPC, which the SDK
	// must be told explicitly.
	conn, ps = temporalclient.NewConnection("127.0.0.1:7233", "default", temporalclient.TLSFiles{}, "key-123", time.Now())
	if len(ps) > 0 || conn.TLS != nil {
		t.Fatalf("conn %+v, %v", conn.TLS, ps)
	}
	opts = temporalclient.ConnectionOptions(conn, nil, nil)
	if opts.Credentials == nil || !opts.ConnectionOptions.TLSDisabled {
		t.Errorf("options = %+v", opts.ConnectionOptions)
	}
	if _, err := client.NewLazyClient(opts); err != nil {
		t.Errorf("the SDK refuses the options: %v", err)
	}

	_, ps = temporalclient.NewConnection("127.0.0.1:7233", "default", temporalclient.TLSFiles{}, "key 123\n", time.Now())
	problemOf(t, ps, "api_key")
}

func TestNewConnectionPlain(t *testing.T) {
	conn, ps := temporalclient.NewConnection("temporal:7233", "default", temporalclient.TLSFiles{}, "", time.Now())
	if len(ps) > 0 || conn.TLS != nil || conn.APIKey != "" {
		t.Fatalf("conn %+v, %v", conn, ps)
	}
}

func TestNewConnectionProblems(t *testing.T) {
	ca := certtest.NewCA(t, "ca")
	good := ca.Client(t, "good", certtest.Options{})
	expired := ca.Client(t, "expired", certtest.Options{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	future := ca.Client(t, "future", certtest.Options{NotBefore: time.Now().Add(24 * time.Hour), NotAfter: time.Now().Add(48 * time.Hour)})
	dir := t.TempDir()
	otherKey := certtest.NewKeyFile(t, dir)
	notPEM := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope.pem")
	unreadable := filepath.Join(dir, "secret.pem")
	if err := os.WriteFile(unreadable, []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}

	for name, tc := range map[string]struct {
		files temporalclient.TLSFiles
		field string
		want  []string
	}{
		"ca missing":       {temporalclient.TLSFiles{CAFile: missing}, "ca_file", []string{"file " + missing + " does not exist"}},
		"ca not PEM":       {temporalclient.TLSFiles{CAFile: notPEM}, "ca_file", []string{notPEM + " is not a PEM file", "BEGIN CERTIFICATE"}},
		"ca is a key":      {temporalclient.TLSFiles{CAFile: good.KeyFile}, "ca_file", []string{"holds no CA certificate"}},
		"cert expired":     {temporalclient.TLSFiles{CertFile: expired.CertFile, KeyFile: expired.KeyFile}, "cert_file", []string{"(CN=expired) expired on " + expired.Cert.NotAfter.UTC().Format("2006-01-02 15:04")}},
		"cert not yet":     {temporalclient.TLSFiles{CertFile: future.CertFile, KeyFile: future.KeyFile}, "cert_file", []string{"is not valid until " + future.Cert.NotBefore.UTC().Format("2006-01-02 15:04"), "clock"}},
		"key mismatch":     {temporalclient.TLSFiles{CertFile: good.CertFile, KeyFile: otherKey}, "key_file", []string{"the private key in " + otherKey + " does not match the certificate in " + good.CertFile}},
		"key not a key":    {temporalclient.TLSFiles{CertFile: good.CertFile, KeyFile: good.CertFile}, "key_file", []string{"holds no private key"}},
		"key missing":      {temporalclient.TLSFiles{CertFile: good.CertFile, KeyFile: missing}, "key_file", []string{"does not exist"}},
		"cert without key": {temporalclient.TLSFiles{CertFile: good.CertFile}, "key_file", []string{"needs its private key"}},
		"key without cert": {temporalclient.TLSFiles{KeyFile: good.KeyFile}, "cert_file", []string{"needs its certificate"}},
	} {
		t.Run(name, func(t *testing.T) {
			conn, ps := temporalclient.NewConnection("temporal:7233", "default", tc.files, "", time.Now())
			msg := problemOf(t, ps, tc.field)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%s: %q lacks %q", tc.field, msg, w)
				}
			}
			if conn.TLS != nil {
				t.Error("a connection with a problem has a TLS config")
			}
		})
	}

	if os.Geteuid() != 0 { // root reads anything
		_, ps := temporalclient.NewConnection("temporal:7233", "default", temporalclient.TLSFiles{CAFile: unreadable}, "", time.Now())
		if msg := problemOf(t, ps, "ca_file"); !strings.Contains(msg, "permission denied") {
			t.Error(msg)
		}
	}

	// Every problem at once, one per setting.
	_, ps := temporalclient.NewConnection("temporal:7233", "default",
		temporalclient.TLSFiles{CAFile: missing, CertFile: expired.CertFile, ServerName: "a b"}, "x y", time.Now())
	if len(ps) != 5 {
		t.Errorf("problems = %v, want 5 (api_key, server_name, ca_file, key_file, cert_file)", ps)
	}
	var err error = ps
	if lines := strings.Split(err.Error(), "\n"); len(lines) != 5 {
		t.Errorf("Problems.Error() = %q", err)
	}
	if !errors.As(err, new(temporalclient.Problems)) {
		t.Error("not Problems")
	}
}
