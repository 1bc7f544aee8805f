package git

import (
	"context"
	"regexp"
	"strings"

	"github.com/railyard/railyard"
)

// CommandError is a failed git command. Kind is railyard.ErrUnauthenticated,
// railyard.ErrNotFound, or nil for failures worth retrying (unreachable
// server, 5xx, timeouts).
type CommandError struct {
	Args   []string
	Stderr string // redacted
	Kind   error
	Err    error
}

func (e *CommandError) Error() string {
	msg := "git " + firstArg(e.Args)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	} else if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Kind != nil {
		msg += ": " + e.Kind.Error()
	}
	return msg
}

// Unwrap exposes the classification and the underlying error.
func (e *CommandError) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

func firstArg(args []string) string {
	for i := 0; i < len(args); i++ {
		if args[i] == "-c" || args[i] == "-C" {
			i++
			continue
		}
		return args[i]
	}
	return ""
}

var (
	authPatterns = []string{
		"authentication failed", "could not read username", "could not read password",
		"returned error: 401", "returned error: 403", "permission denied",
		"access denied", "invalid username or password", "terminal prompts disabled",
	}
	notFoundPatterns = []string{
		"not found", "returned error: 404", "does not appear to be a git repository",
		"no such repository", "couldn't find remote ref",
	}
)

func newCommandError(ctx context.Context, args []string, stderr string, err error, secret string) *CommandError {
	msg := lastLines(redactSecret(Redact(stderr), secret), 3)
	e := &CommandError{Args: redactArgs(args, secret), Stderr: msg, Err: err}
	if ctx.Err() != nil {
		e.Err = ctx.Err()
		return e
	}
	e.Kind = classify(strings.ToLower(stderr))
	return e
}

func classify(stderr string) error {
	switch {
	case containsAny(stderr, authPatterns):
		return railyard.ErrUnauthenticated
	case containsAny(stderr, notFoundPatterns):
		return railyard.ErrNotFound
	}
	return nil
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	var kept []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "hint:") {
			kept = append(kept, l)
		}
	}
	if len(kept) > n {
		kept = kept[len(kept)-n:]
	}
	return strings.Join(kept, "; ")
}

var userinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@`)

// Redact removes the userinfo of every URL in s.
func Redact(s string) string {
	return userinfo.ReplaceAllString(s, "${1}***@")
}

func redactSecret(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "***")
}

func redactArgs(args []string, secret string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = redactSecret(Redact(a), secret)
	}
	return out
}
