// Package emuserve serves an emulator's HTTP handler: on an address of the
// caller's choosing (the sandboxes of `incidentflow dev`) or on a loopback
// port for a test, with the base URL it listens on and a Stop that is safe
// to call more than once. The GitHub, PagerDuty and Statuspage emulators
// share it.
package emuserve

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Listener is where one emulator serves. The zero value is stopped.
type Listener struct {
	mu   sync.Mutex
	url  string
	stop func()
}

// Start listens on addr (e.g. "127.0.0.1:3002", or port 0 for any) and
// serves h in the background until Stop. name says whose server is already
// started when it is.
func (l *Listener) Start(name, addr string, h http.Handler) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stop != nil {
		return errors.New(name + ": server already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	l.url = "http://" + ln.Addr().String()
	l.stop = func() { _ = hs.Close() }
	return nil
}

// StartTest serves h on a loopback port with httptest.
func (l *Listener) StartTest(h http.Handler) {
	ts := httptest.NewServer(h)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.url, l.stop = ts.URL, ts.Close
}

// URL is the base URL served ("http://127.0.0.1:port", no trailing slash),
// or "" before Start.
func (l *Listener) URL() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.url
}

// Stop stops serving. It is safe to call more than once; the URL stays.
func (l *Listener) Stop() {
	l.mu.Lock()
	fn := l.stop
	l.stop = nil
	l.mu.Unlock()
	if fn != nil {
		fn()
	}
}
