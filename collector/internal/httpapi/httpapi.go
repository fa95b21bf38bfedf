// Package httpapi serves the inventory to admins over HTTPS as JSON (or
// CSV): /v1/inventory, /v1/endpoints and the Prometheus /metrics. A caller
// proves it is an admin with a client certificate of the collector's CA
// carrying the admin role, or with the bearer token in the data
// directory's http-admin.token. /healthz is open.
package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shadowai/shadowai/collector/internal/inventory"
	"github.com/shadowai/shadowai/collector/internal/metrics"
	"github.com/shadowai/shadowai/collector/internal/pki"
)

// API is the HTTP handler.
type API struct {
	Inv         *inventory.Inventory
	CA          *pki.Authority
	Metrics     *metrics.Registry
	SilentAfter time.Duration
	// TokenHash is the SHA-256 of the admin bearer token.
	TokenHash [32]byte
	Log       *slog.Logger
}

// Handler routes the API.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.Handle("GET /v1/inventory", a.admin(a.inventory))
	mux.Handle("GET /v1/endpoints", a.admin(a.endpoints))
	mux.Handle("GET /metrics", a.admin(a.metrics))
	return mux
}

// admin lets a request through only for an admin certificate or token.
func (a *API) admin(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.isAdmin(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="shadowai"`)
			fail(w, http.StatusUnauthorized, "an admin client certificate or the bearer token from http-admin.token is required")
			return
		}
		h(w, r)
	})
}

func (a *API) isAdmin(r *http.Request) bool {
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		if _, role, err := a.CA.VerifyClient(r.TLS.PeerCertificates[0]); err == nil && role == pki.RoleAdmin {
			return true
		}
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return false
	}
	h := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(h[:], a.TokenHash[:]) == 1
}

func (a *API) inventory(w http.ResponseWriter, r *http.Request) {
	f, err := filterFrom(r, time.Now())
	if err == nil {
		err = f.Check()
	}
	format := formatOf(r)
	if err == nil && format != "json" && format != "csv" {
		err = errText("format " + strconv.Quote(format) + ": use json or csv")
	}
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := a.Inv.Run(r.Context(), f)
	if err != nil {
		a.Log.Error("http inventory query failed", "err", err)
		fail(w, http.StatusInternalServerError, "inventory query failed; see the collector log")
		return
	}
	setType(w, format)
	inventory.Write(w, format, f.By, res)
}

func (a *API) endpoints(w http.ResponseWriter, r *http.Request) {
	format := formatOf(r)
	if format != "json" && format != "csv" {
		fail(w, http.StatusBadRequest, "format "+strconv.Quote(format)+": use json or csv")
		return
	}
	eps, err := inventory.Endpoints(r.Context(), a.Inv.Store, a.SilentAfter, time.Now())
	if err != nil {
		a.Log.Error("http endpoints query failed", "err", err)
		fail(w, http.StatusInternalServerError, "endpoints query failed; see the collector log")
		return
	}
	setType(w, format)
	inventory.WriteEndpoints(w, format, eps)
}

func (a *API) metrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	a.Metrics.Write(w)
}

func formatOf(r *http.Request) string {
	if f := r.URL.Query().Get("format"); f != "" {
		return f
	}
	return "json"
}

func setType(w http.ResponseWriter, format string) {
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		return
	}
	w.Header().Set("Content-Type", "application/json")
}

type errText string

func (e errText) Error() string { return string(e) }

// filterFrom reads the query parameters, named like the CLI's flags.
func filterFrom(r *http.Request, now time.Time) (inventory.Filter, error) {
	q := r.URL.Query()
	for k := range q {
		if !knownParams[k] {
			return inventory.Filter{}, errText("unknown parameter " + strconv.Quote(k))
		}
	}
	f := inventory.Filter{Service: q.Get("service"), Vendor: q.Get("vendor"), Category: q.Get("category"),
		Host: q.Get("host"), User: q.Get("user"), By: q.Get("by"),
		Unsanctioned: truthy(q.Get("unsanctioned")), New: truthy(q.Get("new"))}
	var err error
	if f.Since, err = inventory.ParseSince(q.Get("since"), now); err != nil {
		return f, err
	}
	if f.Until, err = inventory.ParseUntil(q.Get("until"), now); err != nil {
		return f, err
	}
	if l := q.Get("limit"); l != "" {
		if f.Limit, err = strconv.Atoi(l); err != nil {
			return f, errText("limit " + strconv.Quote(l) + " is not a number")
		}
	}
	return f, nil
}

var knownParams = map[string]bool{"since": true, "until": true, "service": true, "vendor": true, "category": true,
	"host": true, "user": true, "unsanctioned": true, "new": true, "by": true, "limit": true, "format": true}

func truthy(s string) bool { return s == "1" || s == "true" || s == "yes" }

func fail(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
