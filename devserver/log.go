package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"syscall"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// levelSilent is above every level the server logs at.
const levelSilent = slog.LevelError + 100

// serverSlog returns the slog.Logger the embedded server writes to: base (or
// slog.Default() when nil) tagged with component=temporal, and quiet —
// records below Warn are dropped unless base itself is enabled for Debug.
// The returned LevelVar is that threshold; quiet reports whether it is above
// Debug.
func serverSlog(base *slog.Logger) (sl *slog.Logger, minLevel *slog.LevelVar, quiet bool) {
	if base == nil {
		base = slog.Default()
	}
	minLevel = new(slog.LevelVar)
	minLevel.Set(slog.LevelWarn)
	if base.Enabled(context.Background(), slog.LevelDebug) {
		minLevel.Set(slog.LevelDebug)
	}
	sl = slog.New(&minLevelHandler{min: minLevel, next: base.Handler()}).With("component", "temporal")
	return sl, minLevel, minLevel.Level() > slog.LevelDebug
}

// minLevelHandler drops records below min before they reach next.
type minLevelHandler struct {
	min  *slog.LevelVar
	next slog.Handler
}

func (h *minLevelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min.Level() && h.next.Enabled(ctx, l)
}

func (h *minLevelHandler) Handle(ctx context.Context, r slog.Record) error {
	return h.next.Handle(ctx, r)
}

func (h *minLevelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &minLevelHandler{min: h.min, next: h.next.WithAttrs(attrs)}
}

func (h *minLevelHandler) WithGroup(name string) slog.Handler {
	return &minLevelHandler{min: h.min, next: h.next.WithGroup(name)}
}

// serverLogger adapts an slog.Logger to the Temporal server's log.Logger.
// Tags are converted only for records that will be written. Panic and Fatal
// log at Error and then panic with a *fatalError (never os.Exit), so Start can
// turn a fatal start-up condition into an error.
type serverLogger struct {
	sl     *slog.Logger
	prefix []tag.Tag
}

var (
	_ log.Logger      = (*serverLogger)(nil)
	_ log.WithLogger  = (*serverLogger)(nil)
	_ log.SLogWrapper = (*serverLogger)(nil)
)

// fatalError is the panic value of serverLogger.Panic and serverLogger.Fatal.
type fatalError struct {
	msg   string
	attrs []slog.Attr
}

func (e *fatalError) Error() string {
	s := e.msg
	for _, a := range e.attrs {
		s += " " + a.String()
	}
	return s
}

// portInUse recognizes the server's fatal "Failed to start gRPC listener"
// and returns it as a *PortInUseError (nil for anything else).
func (e *fatalError) portInUse() *PortInUseError {
	if e.msg != "Failed to start gRPC listener" {
		return nil
	}
	pe := &PortInUseError{Role: "?", Addr: "?", Err: errors.New(e.msg)}
	for _, a := range e.attrs {
		v := fmt.Sprint(a.Value.Any())
		switch a.Key {
		case "service":
			pe.Role = v
		case "address":
			pe.Addr = v
		case "error":
			pe.Err = errors.New(v)
			if strings.Contains(v, "address already in use") {
				pe.Err = fmt.Errorf("%s: %w", v, syscall.EADDRINUSE)
			}
		}
	}
	return pe
}

func (l *serverLogger) Debug(msg string, tags ...tag.Tag) { l.log(slog.LevelDebug, msg, tags) }
func (l *serverLogger) Info(msg string, tags ...tag.Tag)  { l.log(slog.LevelInfo, msg, tags) }
func (l *serverLogger) Warn(msg string, tags ...tag.Tag)  { l.log(slog.LevelWarn, msg, tags) }
func (l *serverLogger) Error(msg string, tags ...tag.Tag) { l.log(slog.LevelError, msg, tags) }

// DPanic logs at Error; it panics only in zap's development mode, which this is not.
func (l *serverLogger) DPanic(msg string, tags ...tag.Tag) { l.log(slog.LevelError, msg, tags) }

func (l *serverLogger) Panic(msg string, tags ...tag.Tag) { l.die(msg, tags) }
func (l *serverLogger) Fatal(msg string, tags ...tag.Tag) { l.die(msg, tags) }

// With returns a logger that prepends tags to every record.
func (l *serverLogger) With(tags ...tag.Tag) log.Logger {
	prefix := make([]tag.Tag, 0, len(l.prefix)+len(tags))
	prefix = append(append(prefix, l.prefix...), tags...)
	return &serverLogger{sl: l.sl, prefix: prefix}
}

// SLog lets server code that wants an slog.Logger (log.NewSlogLogger) use the
// filtered logger directly.
func (l *serverLogger) SLog() *slog.Logger { return l.sl }

func (l *serverLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if !l.sl.Enabled(ctx, level) {
		return
	}
	attrs := l.attrs(tags)
	if level >= slog.LevelWarn && (benignWarnings[msg] || canceledByClient(attrs)) {
		// Not the user's problem: see benignWarnings, and a worker or
		// client that went away mid-call (e.g. a worker restart), which
		// the server reports at Error.
		level = slog.LevelDebug
		if !l.sl.Enabled(ctx, level) {
			return
		}
	}
	l.sl.LogAttrs(ctx, level, msg, attrs...)
}

// benignWarnings are the embedded server's Warn and Error messages that
// describe normal use of a dev server, keyed by the exact message; they are
// logged at Debug so they stay out of the user's console at the default
// level.
var benignWarnings = map[string]bool{
	// The Web UI asks for a larger history page than the server serves, on
	// every workflow page a person opens; the server just uses its limit.
	"GetHistory page size is larger than threshold": true,
}

// canceledByClient reports whether the record's error is a cancelled context.
func canceledByClient(attrs []slog.Attr) bool {
	for _, a := range attrs {
		if a.Key == "error" && strings.HasSuffix(fmt.Sprint(a.Value.Any()), context.Canceled.Error()) {
			return true
		}
	}
	return false
}

func (l *serverLogger) die(msg string, tags []tag.Tag) {
	attrs := l.attrs(tags)
	l.sl.LogAttrs(context.Background(), slog.LevelError, msg, attrs...)
	panic(&fatalError{msg: msg, attrs: attrs})
}

func (l *serverLogger) attrs(tags []tag.Tag) []slog.Attr {
	attrs := make([]slog.Attr, 0, len(l.prefix)+len(tags))
	for _, t := range l.prefix {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	for _, t := range tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	return attrs
}
