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

func TestDashboardPort(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    int
		wantErr bool
	}{
		{"default", []string{"--dev"}, 8234, false},
		{"set", []string{"--dev", "--dashboard-port", "9999"}, 9999, false},
		{"disabled", []string{"--dev", "--dashboard-port", "0"}, 0, false},
		{"out of range", []string{"--dev", "--dashboard-port", "70000"}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && o.DashboardPort != tt.want {
				t.Errorf("got %d, want %d", o.DashboardPort, tt.want)
			}
		})
	}
}
