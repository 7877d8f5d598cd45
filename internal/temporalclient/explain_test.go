package temporalclient_test

import (
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

// TestExplain words the errors a dial returns as the SDK writes them; the
// handshake failures against a real TLS frontend are tested in
// cmd/incidentflow (tls_test.go).
func TestExplain(t *testing.T) {
	plain := temporalclient.Connection{HostPort: "temporal:7233", Namespace: "incidents"}
	secured := temporalclient.Connection{HostPort: "10.0.0.5:7233", Namespace: "incidents", TLS: &tls.Config{ServerName: "10.0.0.5"},
		Files: temporalclient.TLSFiles{CAFile: "/etc/ca.pem", CertFile: "/etc/client.pem"}}
	cloud := temporalclient.Connection{HostPort: "incidents.a1b2c.tmprl.cloud:7233", Namespace: "incidents.a1b2c", TLS: &tls.Config{}, APIKey: "k"}
	for _, tc := range []struct {
		conn temporalclient.Connection
		err  error
		want string
	}{
		{secured, errors.New(`failed reaching server: connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"`),
			"not signed by temporal.tls.ca_file (/etc/ca.pem)"},
		{cloud, errors.New(`tls: failed to verify certificate: x509: certificate signed by unknown authority`),
			"not signed by an authority this machine trusts: set temporal.tls.ca_file"},
		{secured, errors.New(`tls: failed to verify certificate: x509: certificate is valid for frontend.internal, localhost, not 10.0.0.5"`),
			"does not hold the name incidentflow checks, 10.0.0.5 (it is valid for frontend.internal, localhost, not 10.0.0.5): set temporal.tls.server_name"},
		{secured, errors.New(`x509: certificate has expired or is not yet valid: current time …`), "has expired or is not yet valid"},
		{secured, errors.New(`remote error: tls: expired certificate`), "refused the client certificate in temporal.tls.cert_file (/etc/client.pem) as expired"},
		{plain, errors.New(`dial tcp 10.0.0.5:7233: connect: connection refused`), "nothing listens at temporal:7233"},
		{plain, errors.New(`dial tcp: lookup temporal on 127.0.0.53:53: no such host`), "the host of temporal:7233 is unknown"},
		{cloud, status.Error(codes.Unauthenticated, "Request unauthorized."), "refused the API key in temporal.api_key (rpc error: code = Unauthenticated desc = Request unauthorized.)"},
		{cloud, serviceerror.NewPermissionDenied("Request unauthorized.", ""), "refused the API key in temporal.api_key"},
		{plain, status.Error(codes.Unauthenticated, "no credentials"), "wants credentials"},
		{plain, errors.New("something new"), "something new"},
	} {
		if got := temporalclient.Explain(tc.err, tc.conn); !strings.Contains(got, tc.want) {
			t.Errorf("Explain(%q)\n got %s\nwant …%s…", tc.err, got, tc.want)
		}
	}
	if temporalclient.Explain(nil, plain) != "" {
		t.Error("Explain(nil) is not empty")
	}
}
