// Package certtest makes certificate authorities, certificates and keys
// for tests of TLS settings: a CA signs server and client certificates,
// valid for the dates a test chooses, written as PEM files.
package certtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a certificate authority.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	// CertFile is the CA's certificate as a PEM file.
	CertFile string
	dir      string
}

// Pair is a certificate and its key as PEM files.
type Pair struct {
	CertFile string
	KeyFile  string
	Cert     *x509.Certificate
}

// Options choose a certificate's names and dates; zero dates mean valid
// from an hour ago for a day.
type Options struct {
	CommonName string
	// DNSNames and IPs are the names a server certificate holds.
	DNSNames  []string
	IPs       []net.IP
	NotBefore time.Time
	NotAfter  time.Time
}

// NewCA makes a CA named name in a directory of t's, valid from an hour
// ago for a day.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ca := &CA{Cert: cert, Key: key, dir: dir, CertFile: filepath.Join(dir, name+"-ca.pem")}
	WriteFile(t, ca.CertFile, "CERTIFICATE", der)
	return ca
}

// Server makes a server certificate for opts (127.0.0.1 and localhost
// when no name is given) signed by ca.
func (ca *CA) Server(t testing.TB, name string, opts Options) Pair {
	t.Helper()
	if len(opts.DNSNames) == 0 && len(opts.IPs) == 0 {
		opts.DNSNames = []string{"localhost"}
		opts.IPs = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	return ca.issue(t, name, opts, x509.ExtKeyUsageServerAuth)
}

// Client makes a client certificate signed by ca.
func (ca *CA) Client(t testing.TB, name string, opts Options) Pair {
	t.Helper()
	return ca.issue(t, name, opts, x509.ExtKeyUsageClientAuth)
}

func (ca *CA) issue(t testing.TB, name string, opts Options, usage x509.ExtKeyUsage) Pair {
	key := newKey(t)
	if opts.CommonName == "" {
		opts.CommonName = name
	}
	if opts.NotBefore.IsZero() {
		opts.NotBefore = time.Now().Add(-time.Hour)
	}
	if opts.NotAfter.IsZero() {
		opts.NotAfter = time.Now().Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: opts.CommonName},
		DNSNames:     opts.DNSNames,
		IPAddresses:  opts.IPs,
		NotBefore:    opts.NotBefore,
		NotAfter:     opts.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	p := Pair{CertFile: filepath.Join(ca.dir, name+".pem"), KeyFile: filepath.Join(ca.dir, name+"-key.pem"), Cert: cert}
	WriteFile(t, p.CertFile, "CERTIFICATE", der)
	WriteKey(t, p.KeyFile, key)
	return p
}

// WriteKey writes key to path as a PKCS #8 PEM file.
func WriteKey(t testing.TB, path string, key *ecdsa.PrivateKey) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	WriteFile(t, path, "PRIVATE KEY", der)
}

// NewKeyFile writes a fresh key, matching no certificate, to a file in
// dir and returns its path.
func NewKeyFile(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "other-key.pem")
	WriteKey(t, path, newKey(t))
	return path
}

// WriteFile writes der as one PEM block of type typ to path.
func WriteFile(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func serial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
