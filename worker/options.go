package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// options are the worker's command-line settings.
type options struct {
	Dev             bool
	DataDir         string
	IP              string
	Port            int
	UIPort          int
	DashboardPort   int
	Namespace       string
	TaskQueue       string
	CredentialsFile string
	GlobalCredNS    string
	WebhookAddr     string
	WebhookURL      string
	UIBaseURL       string
	CacheDir        string
	LogLevel        slog.Level
	ServerLogLevel  slog.Level
	LogFormat       string
	Kubeconfig      string
	ArgoCDNamespace string
	ArgoCDClusters  map[string]string // project → kubeconfig context
}

const usageHeader = `railyard-worker runs Railyard's Temporal worker.

  railyard-worker --dev     embedded Temporal server + Web UI + worker, one process
  railyard-worker           worker only, against the cluster described by the
                            standard Temporal environment (TEMPORAL_ADDRESS,
                            TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*,
                            TEMPORAL_PROFILE / temporal.toml)

Flags:
`

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{LogLevel: slog.LevelInfo, ServerLogLevel: slog.LevelWarn}
	fs := flag.NewFlagSet("railyard-worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHeader)
		fs.PrintDefaults()
	}
	fs.BoolVar(&o.Dev, "dev", false, "run an embedded Temporal server and Web UI in this process")
	fs.StringVar(&o.DataDir, "data-dir", defaultDir(xdgStateHome, ".railyard"),
		"--dev: directory of the embedded server's SQLite database; empty keeps it in memory")
	fs.StringVar(&o.IP, "ip", "127.0.0.1", "--dev: address the embedded server and Web UI listen on (0.0.0.0 in a container)")
	fs.IntVar(&o.Port, "port", 7233, "--dev: Temporal frontend gRPC port")
	fs.IntVar(&o.UIPort, "ui-port", 8233, "--dev: Temporal Web UI port; 0 disables the UI")
	fs.IntVar(&o.DashboardPort, "dashboard-port", defaultDashboardPort,
		"--dev: pipeline dashboard port, on --ip (no authentication: keep --ip 127.0.0.1); 0 disables it")
	fs.StringVar(&o.Namespace, "namespace", "",
		`Temporal namespace (default: "default" with --dev, else TEMPORAL_NAMESPACE or "default")`)
	fs.StringVar(&o.TaskQueue, "task-queue", "railyard", "task queue the worker polls")
	fs.StringVar(&o.CredentialsFile, "credentials", "",
		"credentials for git, registries, chart repositories and webhook receivers: a credentials file, or a directory of Kargo Secret manifests")
	fs.StringVar(&o.GlobalCredNS, "global-credentials-namespaces", "",
		"comma-separated namespaces of the Kargo Secrets directory whose credentials every project may use")
	fs.StringVar(&o.WebhookAddr, "webhook-addr", "",
		"address serving webhook receivers (default <--ip>:8235 with --dev, i.e. 127.0.0.1:8235, else off; \"off\" disables)")
	fs.StringVar(&o.WebhookURL, "webhook-url", "",
		"external base URL of the webhook receivers, shown by `railyard get projects` (default http://<webhook-addr>)")
	fs.StringVar(&o.UIBaseURL, "ui-base-url", "", "URL expressions see as ctx.uiBaseUrl (default with --dev: the Web UI's URL)")
	fs.StringVar(&o.CacheDir, "cache-dir", defaultDir(os.UserCacheDir, ".railyard-cache"),
		"directory for git mirrors and other caches")
	fs.TextVar(&o.LogLevel, "log-level", o.LogLevel, "log level: debug, info, warn, error")
	fs.TextVar(&o.ServerLogLevel, "server-log-level", o.ServerLogLevel, "--dev: embedded server's log level (never more verbose than --log-level)")
	fs.StringVar(&o.LogFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&o.Kubeconfig, "kubeconfig", "",
		"kubeconfig of the cluster holding Argo CD's Applications (default $KUBECONFIG; in a pod without either, the pod's service account)")
	fs.StringVar(&o.ArgoCDNamespace, "argocd-namespace", "argocd", "namespace of Argo CD's Applications when a step names none")
	fs.Func("argocd-cluster", "PROJECT=CONTEXT: the project's Applications are in the cluster of that kubeconfig context (repeatable; default: the current context)",
		func(v string) error {
			project, ctx, ok := strings.Cut(v, "=")
			if !ok || project == "" || ctx == "" {
				return fmt.Errorf("want PROJECT=CONTEXT, got %q", v)
			}
			if o.ArgoCDClusters == nil {
				o.ArgoCDClusters = map[string]string{}
			}
			o.ArgoCDClusters[project] = ctx
			return nil
		})
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case o.WebhookAddr == "off":
		o.WebhookAddr = ""
	case o.WebhookAddr == "" && o.Dev && !isSet(fs, "webhook-addr"):
		o.WebhookAddr = net.JoinHostPort(o.IP, defaultDevWebhookPort)
	}
	return o, o.validate(fs.NArg())
}

func (o options) validate(extraArgs int) error {
	switch {
	case extraArgs > 0:
		return errors.New("unexpected arguments; see --help")
	case o.LogFormat != "text" && o.LogFormat != "json":
		return fmt.Errorf("--log-format %q: want text or json", o.LogFormat)
	case o.TaskQueue == "":
		return errors.New("--task-queue must not be empty")
	case o.Port < 1 || o.Port > 65535:
		return fmt.Errorf("--port %d out of range", o.Port)
	case o.UIPort < 0 || o.UIPort > 65535:
		return fmt.Errorf("--ui-port %d out of range", o.UIPort)
	case o.DashboardPort < 0 || o.DashboardPort > 65535:
		return fmt.Errorf("--dashboard-port %d out of range", o.DashboardPort)
	}
	if o.CredentialsFile != "" {
		if _, err := os.Stat(o.CredentialsFile); err != nil {
			return fmt.Errorf("--credentials: %w", err)
		}
	}
	return nil
}

// defaultDevWebhookPort is where --dev serves webhook receivers, on --ip.
const defaultDevWebhookPort = "8235"

// defaultDashboardPort is where --dev serves the pipeline dashboard, on --ip.
const defaultDashboardPort = 8234

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// globalNamespaces splits --global-credentials-namespaces.
func (o options) globalNamespaces() []string {
	var out []string
	for _, ns := range strings.Split(o.GlobalCredNS, ",") {
		if ns = strings.TrimSpace(ns); ns != "" {
			out = append(out, ns)
		}
	}
	return out
}

// xdgStateHome is $XDG_STATE_HOME, or ~/.local/state as the XDG base
// directory specification defaults it.
func xdgStateHome() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "state"), nil
}

// defaultDir is base()/railyard, or fallback (relative to the working
// directory) when there is no home directory.
func defaultDir(base func() (string, error), fallback string) string {
	d, err := base()
	if err != nil || d == "" {
		return fallback
	}
	return filepath.Join(d, "railyard")
}

func newLogger(o options, w io.Writer) *slog.Logger {
	ho := &slog.HandlerOptions{Level: o.LogLevel}
	if o.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}

// uiBaseURL is ctx.uiBaseUrl: --ui-base-url, else the embedded Web UI.
func (o options) uiBaseURL() string {
	switch {
	case o.UIBaseURL != "":
		return o.UIBaseURL
	case !o.Dev || o.UIPort == 0:
		return ""
	case o.IP == "0.0.0.0" || o.IP == "::":
		return fmt.Sprintf("http://localhost:%d", o.UIPort)
	}
	return fmt.Sprintf("http://%s:%d", o.IP, o.UIPort)
}
