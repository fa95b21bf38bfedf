package service

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"

	ksvc "github.com/kardianos/service"
)

// logHandler sends slog records to the service manager's logger (journald
// or syslog, the Windows Event Log), formatted as key=value text.
type logHandler struct {
	mu    *sync.Mutex // guards buf
	buf   *bytes.Buffer
	inner slog.Handler
	out   ksvc.Logger
}

// NewLogHandler returns a handler writing to out at level and above.
func NewLogHandler(out ksvc.Logger, level slog.Level) slog.Handler {
	buf := &bytes.Buffer{}
	inner := slog.NewTextHandler(buf, &slog.HandlerOptions{Level: level, ReplaceAttr: dropTimeLevel})
	return &logHandler{mu: &sync.Mutex{}, buf: buf, inner: inner, out: out}
}

// dropTimeLevel removes what the service manager stamps itself.
func dropTimeLevel(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey) {
		return slog.Attr{}
	}
	return a
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.buf.Reset()
	if err := h.inner.Handle(ctx, r); err != nil {
		return err
	}
	line := strings.TrimSpace(h.buf.String())
	switch {
	case r.Level >= slog.LevelError:
		return h.out.Error(line)
	case r.Level >= slog.LevelWarn:
		return h.out.Warning(line)
	}
	return h.out.Info(line)
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{mu: h.mu, buf: h.buf, inner: h.inner.WithAttrs(as), out: h.out}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{mu: h.mu, buf: h.buf, inner: h.inner.WithGroup(name), out: h.out}
}
