package temporalclient

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
)

// TLSFiles are a client's TLS settings as configured (temporal.tls): the
// files it reads and the name it expects on the server's certificate.
type TLSFiles struct {
	// CAFile holds the PEM certificates of the authorities that sign the
	// server's certificate; empty means the system's roots (Temporal
	// Cloud's certificates are signed by a public authority).
	CAFile string
	// CertFile and KeyFile are the client's certificate and private key
	// (PEM) for mutual TLS; both or neither.
	CertFile string
	KeyFile  string
	// ServerName is the name the server's certificate must hold; empty
	// means the host of the address dialed.
	ServerName string
}

// Set reports whether any TLS setting is given.
func (f TLSFiles) Set() bool {
	return f.CAFile != "" || f.CertFile != "" || f.KeyFile != "" || f.ServerName != ""
}

// Problem is one thing wrong with a connection's settings. Field names the
// setting under temporal.tls (ca_file, cert_file, key_file, server_name) or
// api_key.
type Problem struct {
	Field   string
	Message string
}

// Error is the problem in one line.
func (p Problem) Error() string { return p.Field + ": " + p.Message }

// Problems are every problem NewConnection found.
type Problems []Problem

// Error lists the problems, one a line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Connection says how to reach a Temporal frontend: where, which
// namespace, and with which credentials.
type Connection struct {
	// HostPort is the frontend's host:port.
	HostPort  string
	Namespace string
	// TLS, when not nil, encrypts the connection and checks the server's
	// certificate (and presents a client certificate for mutual TLS); nil
	// means plain gRPC.
	TLS *tls.Config
	// APIKey, when not empty, is sent with every call as a bearer token
	// (Temporal Cloud API keys).
	APIKey string
	// Files are the TLS settings TLS was built from, so that Explain can
	// name the file at fault.
	Files TLSFiles
}

// NewConnection checks files and apiKey as of now and builds the
// connection to the frontend at hostPort. TLS is on when any TLS setting
// is given, and also, with the system's roots, when apiKey is set and
// hostPort is not a loopback address (Temporal Cloud requires TLS; a
// plaintext sidecar or proxy on this machine doesn't). The server name
// defaults to the host of hostPort. It returns every problem it finds, one
// per setting, each saying what is wrong in words: a file missing or
// unreadable, not PEM, a certificate expired or not yet valid (and when),
// a key that doesn't match its certificate, a certificate without its key.
func NewConnection(hostPort, namespace string, files TLSFiles, apiKey string, now time.Time) (Connection, Problems) {
	conn := Connection{HostPort: hostPort, Namespace: namespace, APIKey: apiKey, Files: files}
	var ps Problems
	say := func(field, format string, args ...any) {
		ps = append(ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if strings.IndexFunc(apiKey, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		say("api_key", "contains a space, a line break or a control character, which no API key has: set it to the key alone")
	}
	if !files.Set() && (apiKey == "" || IsLoopback(hostPort)) {
		return conn, ps
	}

	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: files.ServerName}
	if cfg.ServerName == "" {
		cfg.ServerName = hostOf(hostPort)
	} else if strings.ContainsAny(files.ServerName, ":/ \t\r\n") || strings.IndexFunc(files.ServerName, unicode.IsControl) >= 0 {
		say("server_name", "%q is not a host name: write the DNS name the server's certificate holds, without scheme or port (e.g. temporal.example.com)", files.ServerName)
	}
	if files.CAFile != "" {
		pool, err := loadCAs(files.CAFile, now)
		if err != nil {
			say("ca_file", "%s", err)
		}
		cfg.RootCAs = pool
	}
	switch {
	case files.CertFile != "" && files.KeyFile == "":
		say("key_file", "is empty, but temporal.tls.cert_file is set: a client certificate needs its private key (set temporal.tls.key_file)")
		if _, err := loadCert(files.CertFile, now); err != nil {
			say("cert_file", "%s", err)
		}
	case files.KeyFile != "" && files.CertFile == "":
		say("cert_file", "is empty, but temporal.tls.key_file is set: a private key needs its certificate (set temporal.tls.cert_file)")
		if _, err := readPEM(files.KeyFile, "private key", "PRIVATE KEY"); err != nil {
			say("key_file", "%s", err)
		}
	case files.CertFile != "":
		pair, field, err := loadPair(files.CertFile, files.KeyFile, now)
		if err != nil {
			say(field, "%s", err)
		} else {
			cfg.GetClientCertificate = newReloadingCert(files.CertFile, files.KeyFile, pair).get
		}
	}
	if len(ps) > 0 {
		return conn, ps
	}
	conn.TLS = cfg
	return conn, nil
}

// hostOf is the host of hostPort (hostPort itself when it has no port).
func hostOf(hostPort string) string {
	if h, _, err := net.SplitHostPort(hostPort); err == nil {
		return h
	}
	return hostPort
}

// dateLayout is how problems write a certificate's dates.
const dateLayout = "2006-01-02 15:04 MST"

// readPEM reads path and returns its PEM blocks whose type ends with
// wantType (CERTIFICATE, PRIVATE KEY); what names the content for the
// messages.
func readPEM(path, what, wantType string) ([]*pem.Block, error) {
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("file %s does not exist", path)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("file %s can't be read: permission denied (the process runs as a user who may not read it)", path)
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("file %s can't be read: %v", path, err)
	}
	var blocks []*pem.Block
	sawPEM := false
	for rest := raw; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		sawPEM = true
		if strings.HasSuffix(b.Type, wantType) {
			blocks = append(blocks, b)
		}
	}
	switch {
	case !sawPEM:
		return nil, fmt.Errorf("%s is not a PEM file: it should hold a %s starting with -----BEGIN %s-----", path, what, wantType)
	case len(blocks) == 0:
		return nil, fmt.Errorf("%s holds no %s (no -----BEGIN %s----- block): is it the right file?", path, what, wantType)
	}
	return blocks, nil
}

// validity says what is wrong with cert's dates as of now; nil when none.
func validity(cert *x509.Certificate, what, path string, now time.Time) error {
	switch {
	case now.After(cert.NotAfter):
		return fmt.Errorf("the %s in %s (%s) expired on %s: get a new one", what, path, subject(cert), cert.NotAfter.UTC().Format(dateLayout))
	case now.Before(cert.NotBefore):
		return fmt.Errorf("the %s in %s (%s) is not valid until %s: check this machine's clock, or wait", what, path, subject(cert), cert.NotBefore.UTC().Format(dateLayout))
	}
	return nil
}

// subject names cert for a message.
func subject(cert *x509.Certificate) string {
	if cn := cert.Subject.CommonName; cn != "" {
		return "CN=" + cn
	}
	return cert.Subject.String()
}

// loadCAs reads the CA certificates in path; it refuses a file in which
// every certificate has expired or isn't valid yet.
func loadCAs(path string, now time.Time) (*x509.CertPool, error) {
	blocks, err := readPEM(path, "CA certificate", "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	var dateErr error
	valid := 0
	for i, b := range blocks {
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d in %s can't be parsed: %v", i+1, path, err)
		}
		if err := validity(cert, "CA certificate", path, now); err != nil {
			dateErr = err
			continue
		}
		valid++
		pool.AddCert(cert)
	}
	if valid == 0 {
		return nil, dateErr
	}
	return pool, nil
}

// loadCert reads the first certificate in path and checks its dates.
func loadCert(path string, now time.Time) (*x509.Certificate, error) {
	blocks, err := readPEM(path, "certificate", "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(blocks[0].Bytes)
	if err != nil {
		return nil, fmt.Errorf("the certificate in %s can't be parsed: %v", path, err)
	}
	return cert, validity(cert, "certificate", path, now)
}

// loadPair reads the client certificate and its key, and says which field
// is at fault when they can't be used.
func loadPair(certPath, keyPath string, now time.Time) (tls.Certificate, string, error) {
	if _, err := loadCert(certPath, now); err != nil {
		return tls.Certificate{}, "cert_file", err
	}
	if _, err := readPEM(keyPath, "private key", "PRIVATE KEY"); err != nil {
		return tls.Certificate{}, "key_file", err
	}
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return tls.Certificate{}, "cert_file", err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return tls.Certificate{}, "key_file", err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	switch {
	case err == nil:
		return pair, "", nil
	case strings.Contains(err.Error(), "does not match"), strings.Contains(err.Error(), "type does not match"):
		return tls.Certificate{}, "key_file", fmt.Errorf("the private key in %s does not match the certificate in %s: use the key the certificate was issued for", keyPath, certPath)
	case strings.Contains(err.Error(), "failed to parse private key"):
		return tls.Certificate{}, "key_file", fmt.Errorf("the private key in %s can't be parsed (an encrypted key? incidentflow needs it unencrypted): %v", keyPath, err)
	}
	return tls.Certificate{}, "key_file", fmt.Errorf("the certificate in %s and the key in %s can't be used together: %v", certPath, keyPath, err)
}

// reloadingCert is the client certificate in certFile and keyFile, read
// again when either file changes (a certificate rotated on disk, as
// cert-manager does), so that a long-running worker presents the current
// one whenever it reconnects. A pair that can't be read (a rotation
// half-written) keeps the last good one.
type reloadingCert struct {
	certFile, keyFile string

	mu              sync.Mutex
	cert            tls.Certificate
	certMod, keyMod time.Time
}

func newReloadingCert(certFile, keyFile string, pair tls.Certificate) *reloadingCert {
	r := &reloadingCert{certFile: certFile, keyFile: keyFile, cert: pair}
	r.certMod, r.keyMod = modTime(certFile), modTime(keyFile)
	return r
}

// get is tls.Config.GetClientCertificate: the pair, reread if its files
// changed since last read.
func (r *reloadingCert) get(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	certMod, keyMod := modTime(r.certFile), modTime(r.keyFile)
	if !certMod.Equal(r.certMod) || !keyMod.Equal(r.keyMod) {
		if pair, err := tls.LoadX509KeyPair(r.certFile, r.keyFile); err == nil {
			r.cert, r.certMod, r.keyMod = pair, certMod, keyMod
		}
	}
	cert := r.cert
	return &cert, nil
}

// modTime is when path last changed; zero when it can't be read.
func modTime(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}
