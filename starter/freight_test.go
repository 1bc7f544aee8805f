package main

import (
	"testing"

	"github.com/railyard/railyard"
)

func TestParseImage(t *testing.T) {
	cases := []struct {
		in   string
		want railyard.Image
	}{
		{"nginx:1.2.3", railyard.Image{RepoURL: "nginx", Tag: "1.2.3"}},
		{"127.0.0.1:5000/app:v2", railyard.Image{RepoURL: "127.0.0.1:5000/app", Tag: "v2"}},
		{"127.0.0.1:5000/app@sha256:abc", railyard.Image{RepoURL: "127.0.0.1:5000/app", Digest: "sha256:abc"}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := parseImage(tc.in); got.RepoURL != tc.want.RepoURL || got.Tag != tc.want.Tag || got.Digest != tc.want.Digest {
				t.Errorf("parseImage(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseChart(t *testing.T) {
	w := railyard.WarehouseSpec{Subscriptions: []railyard.Subscription{
		{Chart: &railyard.ChartSubscription{RepoURL: "https://charts.example.com", Name: "app"}},
		{Chart: &railyard.ChartSubscription{RepoURL: "oci://registry.example.com/charts/db"}},
	}}
	cases := []struct {
		in      string
		want    railyard.Chart
		wantErr bool
	}{
		{"https://charts.example.com/app:1.2.3", railyard.Chart{RepoURL: "https://charts.example.com", Name: "app", Version: "1.2.3"}, false},
		{"oci://registry.example.com/charts/db:0.9.0", railyard.Chart{RepoURL: "oci://registry.example.com/charts/db", Version: "0.9.0"}, false},
		{"https://charts.example.com/other:1.0.0", railyard.Chart{}, true},
		{"no-version", railyard.Chart{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseChart(tc.in, w)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parseChart(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}
