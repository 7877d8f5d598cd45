package devserver

import (
	"context"
	"log/slog"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

func TestLeakProbe(t *testing.T) {
	lg := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := 0
	_ = h
	s, err := Start(context.Background(), Options{FrontendAddr: "127.0.0.1:0", UIAddr: "-", Logger: slog.New(&probeHandler{lg.Handler()})})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	b := time.Now()
	s.Stop()
	t.Logf("stop %v", time.Since(b))
	time.Sleep(12 * time.Second)
	f, _ := os.Create("/tmp/devserver_goroutines.txt")
	pprof.Lookup("goroutine").WriteTo(f, 1)
	f.Close()
}

// probeHandler passes Debug only for our own message and warn+ otherwise.
type probeHandler struct{ slog.Handler }

func (p *probeHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn && r.Message != "dev server ports" {
		return nil
	}
	return p.Handler.Handle(ctx, r)
}
func (p *probeHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return &probeHandler{p.Handler.WithAttrs(a)}
}
