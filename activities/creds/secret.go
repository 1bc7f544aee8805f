package creds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// SecretRef is where a secret value comes from: inline, a file or an
// environment variable. Files and variables are read at lookup time.
type SecretRef struct {
	Value string `json:"value,omitempty"`
	File  string `json:"file,omitempty"`
	Env   string `json:"env,omitempty"`
}

func (r SecretRef) validate() error {
	n := 0
	for _, s := range []string{r.Value, r.File, r.Env} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return errors.New("exactly one of value, file or env is required")
	}
	return nil
}

// resolve reads the secret; the zero SecretRef resolves to "". Line breaks
// at the end of a file are dropped when trim is set (passwords, not keys).
func (r SecretRef) resolve(_ context.Context, trim bool) (string, error) {
	switch {
	case r.Value != "":
		return r.Value, nil
	case r.File != "":
		b, err := os.ReadFile(r.File)
		if err != nil {
			return "", fmt.Errorf("reading secret: %w", err)
		}
		if trim {
			return strings.TrimRight(string(b), "\r\n"), nil
		}
		return string(b), nil
	case r.Env != "":
		v, ok := os.LookupEnv(r.Env)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", r.Env)
		}
		return v, nil
	}
	return "", nil
}

// String shows where the secret comes from, never an inline value.
func (r SecretRef) String() string {
	switch {
	case r.Value != "":
		return "{value: " + redacted + "}"
	case r.File != "":
		return "{file: " + r.File + "}"
	case r.Env != "":
		return "{env: " + r.Env + "}"
	}
	return "{}"
}

// GoString makes %#v redact too.
func (r SecretRef) GoString() string { return "creds.SecretRef" + r.String() }

// Format makes every verb print the redacted form.
func (r SecretRef) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, r.String()) }

// LogValue implements slog.LogValuer.
func (r SecretRef) LogValue() slog.Value { return slog.StringValue(r.String()) }
