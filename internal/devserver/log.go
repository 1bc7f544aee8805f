package devserver

import (
	"context"
	"log/slog"
	"os"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// serverLogger adapts a *slog.Logger to the Temporal server's log.Logger.
type serverLogger struct {
	sl *slog.Logger
}

var (
	_ log.Logger      = serverLogger{}
	_ log.WithLogger  = serverLogger{}
	_ log.SLogWrapper = serverLogger{}
)

// newServerLogger filters l at level and tags every record with component=temporal.
func newServerLogger(l *slog.Logger, level slog.Leveler) serverLogger {
	h := minLevelHandler{Handler: l.Handler(), min: level}
	return serverLogger{sl: slog.New(h).With("component", "temporal")}
}

func (l serverLogger) Debug(msg string, tags ...tag.Tag) { l.log(slog.LevelDebug, msg, tags) }
func (l serverLogger) Info(msg string, tags ...tag.Tag)  { l.log(slog.LevelInfo, msg, tags) }
func (l serverLogger) Warn(msg string, tags ...tag.Tag)  { l.log(slog.LevelWarn, msg, tags) }
func (l serverLogger) Error(msg string, tags ...tag.Tag) { l.log(slog.LevelError, msg, tags) }

// DPanic panics only in the server's development mode; here it logs an error.
func (l serverLogger) DPanic(msg string, tags ...tag.Tag) { l.log(slog.LevelError, msg, tags) }

// Panic logs and panics, as the interface demands.
func (l serverLogger) Panic(msg string, tags ...tag.Tag) {
	l.log(slog.LevelError, msg, tags)
	panic(msg)
}

// Fatal logs and exits, as the interface demands. Start checks ports first
// so that the usual cause, a taken port, never gets here. The message also
// goes to standard error whatever the level and handler: a process that
// exits must say why, even when its server log is filtered or discarded.
func (l serverLogger) Fatal(msg string, tags ...tag.Tag) {
	l.log(slog.LevelError, msg, tags)
	slog.New(slog.NewTextHandler(os.Stderr, nil)).Error("temporal server: fatal: "+msg, attrs(tags)...)
	os.Exit(1)
}

// With returns a logger that adds tags to every record.
func (l serverLogger) With(tags ...tag.Tag) log.Logger {
	return serverLogger{sl: l.sl.With(attrs(tags)...)}
}

// SLog lets the server's own slog bridge use the filtered logger directly.
func (l serverLogger) SLog() *slog.Logger { return l.sl }

func (l serverLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if !l.sl.Enabled(ctx, level) {
		return
	}
	l.sl.Log(ctx, level, msg, attrs(tags)...)
}

func attrs(tags []tag.Tag) []any {
	out := make([]any, 0, len(tags))
	for _, t := range tags {
		out = append(out, slog.Any(t.Key(), t.Value()))
	}
	return out
}

// minLevelHandler drops records below min, whatever the wrapped handler accepts.
type minLevelHandler struct {
	slog.Handler
	min slog.Leveler
}

func (h minLevelHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= h.min.Level() && h.Handler.Enabled(ctx, level)
}

func (h minLevelHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevelHandler{Handler: h.Handler.WithAttrs(as), min: h.min}
}

func (h minLevelHandler) WithGroup(name string) slog.Handler {
	return minLevelHandler{Handler: h.Handler.WithGroup(name), min: h.min}
}

// logGate is the server's log level, which Stop closes: while the server
// shuts down, and after, it only reports expected cancellations.
type logGate struct {
	base   slog.Leveler
	closed atomic.Bool
}

func (g *logGate) Level() slog.Level {
	if g.closed.Load() {
		return slog.LevelError + 100
	}
	return g.base.Level()
}

func (g *logGate) close() { g.closed.Store(true) }
