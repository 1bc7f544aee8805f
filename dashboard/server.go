// Package dashboard serves Railyard's pipeline dashboard: one page per
// project with the Freight timeline of every Warehouse and the stage graph
// (each stage's slots, verification, provenance, running and queued
// promotions), detail pages for Freight, stages and promotions, and forms
// that promote, approve, verify, abort and refresh.
//
// It keeps no state of its own: every page is read through the workflows'
// queries (one snapshot per project, shared by every open page for half a
// second), and every action is the same update or signal the CLI sends, so
// the workflows' validators guard it too. Pages are server-rendered
// html/template (which escapes Freight messages, branch names and every
// other value) with one small script that polls a version endpoint every
// second and swaps the live part of the page when it changed. There is no
// authentication: serve it on 127.0.0.1 unless something in front adds it.
package dashboard

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure a dashboard.
type Options struct {
	Client    client.Client
	Namespace string       // for Web UI links
	UIURL     string       // Temporal Web UI base URL, e.g. http://127.0.0.1:8233; empty: no links
	Logger    *slog.Logger // nil: discard
}

// Server is a dashboard over one Temporal namespace.
type Server struct {
	client    client.Client
	namespace string
	uiURL     string
	log       *slog.Logger
	pages     map[string]*template.Template
	now       func() time.Time

	mu    sync.Mutex
	cache map[string]*cached
}

// New returns a dashboard reading and writing through c.
func New(o Options) *Server {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ns := o.Namespace
	if ns == "" {
		ns = "default"
	}
	return &Server{client: o.Client, namespace: ns, uiURL: o.UIURL, log: log, pages: parsePages(),
		now: time.Now, cache: map[string]*cached{}}
}

// pageNames are the templates that render a whole page; each is parsed
// with layout.html and the shared fragments.
var pageNames = []string{"index", "project", "freight", "stage", "promotion", "live"}

func parsePages() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t := template.New(name).Funcs(funcs)
		out[name] = template.Must(t.ParseFS(templateFS, "templates/layout.html", "templates/parts.html",
			"templates/"+name+".html"))
	}
	return out
}

var funcs = template.FuncMap{
	"dur": func(d time.Duration) string {
		if d >= time.Second {
			return d.Round(100 * time.Millisecond).String()
		}
		return d.Round(time.Millisecond).String()
	},
	"when":       when,
	"short":      func(id string) string { return id[:min(len(id), 7)] },
	"add":        func(a, b int) int { return a + b },
	"trimPrefix": strings.TrimPrefix,
	"dict2":      func(p string, v any) pair { return pair{P: p, V: v} },
}

// Handler routes the dashboard's pages, actions and static files.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /projects/{project}", s.project)
	mux.HandleFunc("GET /projects/{project}/live", s.live)
	mux.HandleFunc("GET /projects/{project}/version", s.version)
	mux.HandleFunc("GET /projects/{project}/freight/{freight}", s.freight)
	mux.HandleFunc("GET /projects/{project}/stages/{stage}", s.stage)
	mux.HandleFunc("GET /projects/{project}/promotions/{promotion}", s.promotion)
	for name, fn := range s.actions() {
		mux.HandleFunc("POST /projects/{project}/"+name, fn)
	}
	return securityHeaders(http.NewCrossOriginProtection().Handler(mux))
}

// securityHeaders forbids framing and any script or style from elsewhere;
// CrossOriginProtection (above) refuses forms posted from other sites, so
// a page elsewhere cannot promote through a browser that has this one open.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// Listen binds addr, answering with one line when it is taken.
func Listen(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dashboard cannot listen on %s: %w", addr, errors.Unwrap(err))
	}
	return l, nil
}

// Serve serves h on l until ctx ends.
func Serve(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving the dashboard: %w", err)
	}
	return nil
}

// when is a UTC timestamp, or "" for a zero time.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// pair hands a fragment the project name beside its value.
type pair struct {
	P string
	V any
}
