package service

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recordingLogger is a service.Logger that keeps what it was given.
type recordingLogger struct{ lines []string }

func (r *recordingLogger) add(level string, v ...any) error {
	r.lines = append(r.lines, level+" "+fmt.Sprint(v...))
	return nil
}
func (r *recordingLogger) Error(v ...any) error              { return r.add("E", v...) }
func (r *recordingLogger) Warning(v ...any) error            { return r.add("W", v...) }
func (r *recordingLogger) Info(v ...any) error               { return r.add("I", v...) }
func (r *recordingLogger) Errorf(f string, v ...any) error   { return r.add("E", fmt.Sprintf(f, v...)) }
func (r *recordingLogger) Warningf(f string, v ...any) error { return r.add("W", fmt.Sprintf(f, v...)) }
func (r *recordingLogger) Infof(f string, v ...any) error    { return r.add("I", fmt.Sprintf(f, v...)) }

func TestLogHandler(t *testing.T) {
	rec := &recordingLogger{}
	log := slog.New(NewLogHandler(rec, slog.LevelInfo)).With("agent", "agt-1")
	log.Debug("hidden")
	log.Info("agent started", "sensors", 2)
	log.Warn("sensor shed", "sensor", "network")
	log.WithGroup("spool").Error("damaged batch", "seq", 7)
	want := []string{
		`I msg="agent started" agent=agt-1 sensors=2`,
		`W msg="sensor shed" agent=agt-1 sensor=network`,
		`E msg="damaged batch" agent=agt-1 spool.seq=7`,
	}
	if diff := cmp.Diff(want, rec.lines); diff != "" {
		t.Errorf("service log (-want +got):\n%s", diff)
	}
}
