package temporalclient

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// validFor picks what x509 says a certificate is valid for out of a
// hostname error: "valid for a, b, not c".
var validFor = regexp.MustCompile(`certificate is (valid for [^,]+(?:, [^,]+)*, not [^"\s;)]+|not valid for any names[^"]*)`)

// Explain says in words why dialing conn failed with err: which TLS
// setting to fix when a handshake failed (the server's certificate not
// signed by temporal.tls.ca_file, issued for another name, expired; the
// server wanting or refusing the client certificate), a plaintext server
// or client on the other side, a refused API key, nothing listening. An
// error it can't place is returned as its own text.
func Explain(err error, conn Connection) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	low := strings.ToLower(msg)
	has := func(parts ...string) bool {
		for _, p := range parts {
			if strings.Contains(low, p) {
				return true
			}
		}
		return false
	}
	f := conn.Files
	var denied *serviceerror.PermissionDenied
	unauthenticated := status.Code(err) == codes.Unauthenticated
	switch {
	case has("certificate signed by unknown authority"):
		if f.CAFile != "" {
			return fmt.Sprintf("the Temporal server's certificate is not signed by temporal.tls.ca_file (%s): set it to the CA that signed the server's certificate", f.CAFile)
		}
		return "the Temporal server's certificate is not signed by an authority this machine trusts: set temporal.tls.ca_file to the CA that signed it"
	case has("x509: certificate is valid for", "certificate is not valid for any names"):
		what := "another name"
		if m := validFor.FindStringSubmatch(msg); m != nil {
			what = m[1]
		}
		return fmt.Sprintf("the Temporal server's certificate does not hold the name incidentflow checks, %s (it is %s): set temporal.tls.server_name to a name it holds", conn.serverName(), what)
	case has("x509: certificate has expired or is not yet valid"):
		return "the Temporal server's certificate has expired or is not yet valid (check this machine's clock; otherwise the server's operators must renew it)"
	case f.CertFile == "" && (has("tls: certificate required") || conn.TLS != nil && has("broken pipe", "connection reset by peer", "eof")):
		// TLS 1.3 refuses a missing client certificate after the
		// handshake, so the client may see only the connection closing.
		return "the Temporal server requires a client certificate (mutual TLS): set temporal.tls.cert_file and temporal.tls.key_file"
	case has("tls: certificate required", "tls: unknown certificate authority", "tls: bad certificate", "tls: unsupported certificate", "tls: access denied"):
		// Go sends no certificate at all when the server names the CAs
		// it accepts and the configured one is signed by none of them:
		// the server then says "certificate required".
		return fmt.Sprintf("the Temporal server refused the client certificate in temporal.tls.cert_file (%s): it is not signed by a CA the server trusts for clients (ask its operators which one, or for a certificate it accepts)", f.CertFile)
	case has("tls: expired certificate", "tls: certificate revoked"):
		return fmt.Sprintf("the Temporal server refused the client certificate in temporal.tls.cert_file (%s) as expired or revoked: get a new one", f.CertFile)
	case has("first record does not look like a tls handshake", "tls: server selected unsupported protocol"):
		return fmt.Sprintf("the server at %s answers plain gRPC, not TLS: remove the temporal.tls settings (an API key on a loopback address goes without TLS), or check temporal.address", conn.HostPort)
	case conn.TLS != nil && has("broken pipe", "connection reset by peer", "eof"):
		return fmt.Sprintf("the Temporal server refused the client certificate in temporal.tls.cert_file (%s) by closing the connection during the TLS handshake: it is probably not signed by a CA the server trusts for clients (ask its operators which one)", f.CertFile)
	case conn.TLS == nil && has("server preface", "connection reset by peer", "broken pipe", "http2: frame too large", "eof"):
		return fmt.Sprintf("the server at %s closed the connection before answering: it probably requires TLS: turn TLS on with temporal.tls.ca_file (the CA that signed its certificate; temporal.tls.server_name alone for a publicly signed one), plus temporal.tls.cert_file and key_file for mutual TLS", conn.HostPort)
	case unauthenticated, errors.As(err, &denied) && conn.APIKey != "":
		if conn.APIKey != "" {
			return "the Temporal server refused the API key in temporal.api_key (" + serverMessage(err) + "): check that it is current and may use namespace " + conn.Namespace
		}
		return "the Temporal server wants credentials (" + serverMessage(err) + "): set temporal.api_key, or temporal.tls.cert_file and key_file for mutual TLS"
	case has("connection refused"):
		return fmt.Sprintf("nothing listens at %s (connection refused): check temporal.address and that Temporal runs", conn.HostPort)
	case has("no such host"):
		return fmt.Sprintf("the host of %s is unknown (DNS lookup failed): check temporal.address", conn.HostPort)
	case errors.Is(err, context.DeadlineExceeded), has("context deadline exceeded"):
		return fmt.Sprintf("no answer from %s in time: check temporal.address, the network and firewalls (%s)", conn.HostPort, msg)
	}
	return msg
}

// serverName is the name the server's certificate must hold.
func (c Connection) serverName() string {
	if c.TLS != nil && c.TLS.ServerName != "" {
		return c.TLS.ServerName
	}
	if c.Files.ServerName != "" {
		return c.Files.ServerName
	}
	return hostOf(c.HostPort)
}

// serverMessage is the server's own words in err.
func serverMessage(err error) string {
	msg := err.Error()
	if msg == "" {
		return "no reason given"
	}
	return msg
}
