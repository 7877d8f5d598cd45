package devserver

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// webUI runs the Temporal Web UI server (assets embedded, works offline).
type webUI struct {
	srv  *uiserver.Server
	done chan error
}

// startUI starts the UI on ep, talking to the frontend at frontendAddr, and
// returns once it accepts connections. The port must have been checked
// free: the UI server exits the process if it cannot bind.
func startUI(ctx context.Context, ep endpoint, frontendAddr, namespace string) (*webUI, error) {
	srv := uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                bracketIPv6(ep.bindIP),
		Port:                ep.port,
		TemporalGRPCAddress: frontendAddr,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		DisableNewsFetch:    true,
	}))
	ui := &webUI{srv: srv, done: make(chan error, 1)}
	go func() { ui.done <- srv.Start() }()
	if err := waitListening(ctx, ep.dialAddr(), ui.done); err != nil {
		ui.stop()
		return nil, fmt.Errorf("web UI on %s: %w", ep.listenAddr(), err)
	}
	return ui, nil
}

// stop closes the UI server and waits (briefly) for Start to return.
func (u *webUI) stop() {
	u.srv.Stop()
	select {
	case <-u.done:
	case <-time.After(2 * time.Second):
	}
}

// waitListening polls addr until it accepts a TCP connection, exited
// reports an early exit, or ctx ends.
func waitListening(ctx context.Context, addr string, exited <-chan error) error {
	for {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = conn.Close()
			return nil
		}
		select {
		case err := <-exited:
			if err == nil {
				err = fmt.Errorf("server exited")
			}
			return err
		case <-ctx.Done():
			return fmt.Errorf("not accepting connections: %w", context.Cause(ctx))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func bracketIPv6(ip string) string {
	if strings.Contains(ip, ":") {
		return "[" + ip + "]"
	}
	return ip
}
