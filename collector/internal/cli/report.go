package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/shadowai/shadowai/collector/internal/report"
)

func reportCmd(e env, args []string) error {
	if len(args) == 0 || args[0] != "weekly" {
		return usagef("usage: shadowai-collector report weekly [--week 2026-W48] --out DIR --data DIR [--deliver]")
	}
	fs := flags(e, "report weekly")
	data, cfgFile := dataFlags(fs)
	week := fs.String("week", "", "ISO week to report, like 2026-W48 (default: the last full week)")
	out := fs.String("out", "", "directory to write report.html, report.md, report.csv and report.json into")
	deliver := fs.Bool("deliver", false, "also send it by the mail and webhook configured in collector.yaml")
	if err := parseWithData(fs, args[1:], data); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out DIR is required: where to write the report")
	}
	w := report.LastFullWeek(time.Now())
	if *week != "" {
		var err error
		if w, err = report.ParseWeek(*week); err != nil {
			return usagef("%v", err)
		}
	}
	return writeReport(e, *data, *cfgFile, *out, w, *deliver)
}

func writeReport(e env, data, cfgFile, out string, w report.Week, deliver bool) error {
	st, cfg, err := openRead(data, cfgFile)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	b := &report.Builder{Inv: inventoryOf(st, cfg), SilentAfter: cfg.Endpoints.SilentAfter.Duration}
	r, err := b.Build(ctx, w)
	if err != nil {
		return err
	}
	if err := r.WriteDir(out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s\nwrote %s\n", r.Subject(), filepath.Join(out, "report.html"))
	if !deliver {
		return nil
	}
	if cfg.Report.SMTP.Addr == "" && cfg.Report.Webhook.URL == "" {
		return fmt.Errorf("--deliver: no report.smtp or report.webhook in the configuration")
	}
	if err := r.Deliver(ctx, cfg.Report); err != nil {
		return err
	}
	slog.New(slog.NewTextHandler(e.stderr, nil)).Info("weekly report delivered", "week", w.String())
	return nil
}
