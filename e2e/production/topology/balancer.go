package topology

import (
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
)

// Balancer is a round-robin HTTP load balancer in front of the front
// doors, as the one the compose file and the Kubernetes Service put in
// front of them: each request goes to the next backend that is up; a
// backend that refuses the connection is skipped for that request.
type Balancer struct {
	backends []*url.URL
	next     atomic.Uint64
	mu       sync.Mutex
	served   map[string]int // requests answered, per backend host
	srv      *http.Server
	ln       net.Listener
}

// NewBalancer starts a balancer over backends (base URLs such as
// http://127.0.0.1:3000) on a free loopback port.
func NewBalancer(backends []string) (*Balancer, error) {
	b := &Balancer{served: map[string]int{}}
	for _, raw := range backends {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, err
		}
		b.backends = append(b.backends, u)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b.ln = ln
	b.srv = &http.Server{Handler: b}
	go func() { _ = b.srv.Serve(ln) }()
	return b, nil
}

// URL is the balancer's base URL.
func (b *Balancer) URL() string { return "http://" + b.ln.Addr().String() }

// Served returns how many requests each backend (host:port) answered.
func (b *Balancer) Served() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]int, len(b.served))
	for k, v := range b.served {
		out[k] = v
	}
	return out
}

// Close stops the balancer.
func (b *Balancer) Close() { _ = b.srv.Close() }

// ServeHTTP forwards r to the next backend. The body is read first (the
// front doors bound theirs far below what a test sends) so that a refused
// connection can be retried on the next backend.
func (b *Balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := b.next.Add(1)
	var lastErr error
	body, err := readBody(r)
	if errors.Is(err, errTooLarge) {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(w, "reading the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	for i := range len(b.backends) {
		target := b.backends[(int(start)+i)%len(b.backends)]
		failed := false
		proxy := &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target); pr.Out.Host = pr.In.Host },
			ErrorHandler: func(_ http.ResponseWriter, _ *http.Request, err error) {
				failed, lastErr = true, err
			},
		}
		// When the backend can't be reached, ErrorHandler runs before
		// anything is written to w, so the next backend can still answer.
		proxy.ServeHTTP(w, withBody(r, body))
		if !failed {
			b.mu.Lock()
			b.served[target.Host]++
			b.mu.Unlock()
			return
		}
	}
	http.Error(w, "no front door is up: "+lastErr.Error(), http.StatusBadGateway)
}
