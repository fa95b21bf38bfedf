package cli

import (
	"log/slog"
	"strings"

	"github.com/shadowai/shadowai/collector/internal/server"
)

func serve(e env, args []string) error {
	fs := flags(e, "serve")
	data := fs.String("data", "", "data directory: CA, certificates, database (created on first start)")
	listen := fs.String("listen", "127.0.0.1:8443", "address to serve gRPC (mutual TLS) on; port 0 picks a free port")
	sans := fs.String("san", "", "comma-separated extra host names or IPs agents use to reach the collector")
	debug := fs.Bool("debug", false, "log debug messages")
	httpAddr := fs.String("http", "", "also serve the HTTPS API (inventory, endpoints, /metrics) on HOST:PORT; admin certificate or bearer token")
	cfgFile := fs.String("config", "", "configuration file (default: DATA/collector.yaml when present)")
	if err := parseWithData(fs, args, data); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	hosts := splitList(*sans)
	if h := hostOf(*listen); h != "" {
		hosts = append(hosts, h)
	}
	ctx, stop := signalContext()
	defer stop()
	return server.Run(ctx, server.Config{DataDir: *data, Listen: *listen, Hosts: hosts, Log: logger(e.stderr, level),
		HTTP: *httpAddr, ConfigFile: *cfgFile})
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func hostOf(addr string) string {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return ""
	}
	return strings.Trim(addr[:i], "[]")
}
