package main

import (
	"io"
	"slices"
	"testing"
)

func TestWebhookAddrDefaults(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"off without --dev", nil, ""},
		{"default with --dev", []string{"--dev"}, "127.0.0.1:8235"},
		{"default with --dev in a container", []string{"--dev", "--ip", "0.0.0.0"}, "0.0.0.0:8235"},
		{"set without --dev", []string{"--webhook-addr", "0.0.0.0:9000"}, "0.0.0.0:9000"},
		{"set with --dev", []string{"--dev", "--webhook-addr", "127.0.0.1:9001"}, "127.0.0.1:9001"},
		{"off with --dev", []string{"--dev", "--webhook-addr", "off"}, ""},
		{"empty with --dev", []string{"--dev", "--webhook-addr", ""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if o.WebhookAddr != tt.want {
				t.Errorf("got %q, want %q", o.WebhookAddr, tt.want)
			}
		})
	}
}

func TestGlobalNamespaces(t *testing.T) {
	o, err := parseFlags([]string{"--global-credentials-namespaces", " shared, kargo ,,"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.globalNamespaces(); !slices.Equal(got, []string{"shared", "kargo"}) {
		t.Errorf("got %q", got)
	}
}
