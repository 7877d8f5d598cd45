package devserver

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// PortInUseError reports an address the dev server could not listen on.
// Start returns it, before starting anything, when the frontend or UI
// address is taken (or otherwise cannot be bound).
type PortInUseError struct {
	// Role is what the address was for: "frontend", "ui", one of the
	// internal roles "frontend-http", "history", "matching", "worker", or
	// whatever a caller reusing this type chooses.
	Role string
	// Addr is the host:port that could not be bound.
	Addr string
	// Err is the underlying listen error.
	Err error
}

// Error returns one line naming the address, e.g.
// "cannot listen on 127.0.0.1:7233 for the Temporal frontend: address already in use".
func (e *PortInUseError) Error() string {
	reason := "address already in use"
	if e.Err != nil && !errors.Is(e.Err, syscall.EADDRINUSE) {
		reason = innermost(e.Err).Error()
	}
	return fmt.Sprintf("cannot listen on %s for the %s: %s", e.Addr, roleName(e.Role), reason)
}

// Unwrap returns the underlying listen error.
func (e *PortInUseError) Unwrap() error { return e.Err }

func roleName(role string) string {
	switch role {
	case "frontend":
		return "Temporal frontend"
	case "ui":
		return "Temporal Web UI"
	case "frontend-http", "history", "matching", "worker":
		return "Temporal " + role + " service"
	default: // roles of callers, e.g. "slack"
		return role
	}
}

func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// endpoint is a resolved listen address.
type endpoint struct {
	bindIP string // what to listen on
	dialIP string // what to connect to (loopback when bindIP is unspecified)
	port   int
}

// LoopbackAddr is port on 127.0.0.1, the address every local server of
// `incidentflow dev` listens on.
func LoopbackAddr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// listenAddr is the host:port to listen on.
func (e endpoint) listenAddr() string { return net.JoinHostPort(e.bindIP, strconv.Itoa(e.port)) }

// dialAddr is the host:port clients connect to.
func (e endpoint) dialAddr() string { return net.JoinHostPort(e.dialIP, strconv.Itoa(e.port)) }

// resolveEndpoint parses host:port. An empty host or "localhost" means
// 127.0.0.1; a host name is resolved to its first address (the server
// needs an IP to bind on). Port 0 is kept as is (picked later).
func resolveEndpoint(addr string) (endpoint, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return endpoint{}, fmt.Errorf("invalid address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return endpoint{}, fmt.Errorf("invalid port in address %q", addr)
	}
	if host == "" || host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil {
		ips, err := net.LookupIP(host)
		if err != nil || len(ips) == 0 {
			return endpoint{}, fmt.Errorf("cannot resolve host in address %q: %v", addr, err)
		}
		ip = ips[0]
		for _, cand := range ips {
			if cand.To4() != nil {
				ip = cand
				break
			}
		}
	}
	ep := endpoint{bindIP: ip.String(), dialIP: ip.String(), port: port}
	if ip.IsUnspecified() {
		ep.dialIP = "127.0.0.1"
		if ip.To4() == nil {
			ep.dialIP = "::1"
		}
	}
	return ep, nil
}

// portReserver checks and picks ports. It keeps every listener it opened
// until release, so the same free port is never handed out twice within
// one Start; release closes them right before the server binds.
type portReserver struct {
	held []net.Listener
}

// claim checks that ep can be bound (picking a free port when ep.port is 0)
// and returns ep with its final port.
func (r *portReserver) claim(role string, ep endpoint) (endpoint, error) {
	l, err := net.Listen("tcp", ep.listenAddr())
	if err != nil {
		return ep, &PortInUseError{Role: role, Addr: ep.listenAddr(), Err: err}
	}
	r.held = append(r.held, l)
	ep.port = l.Addr().(*net.TCPAddr).Port
	return ep, nil
}

// release closes every held listener.
func (r *portReserver) release() {
	for _, l := range r.held {
		_ = l.Close()
	}
	r.held = nil
}
