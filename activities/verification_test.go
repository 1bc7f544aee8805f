package activities

import (
	"context"
	"strings"
	"testing"

	"github.com/railyard/railyard"
)

type staticShared railyard.SharedResources

func (s staticShared) Shared(context.Context) (railyard.SharedResources, error) {
	return railyard.SharedResources(s), nil
}

func TestPlanVerificationWithClusterTemplates(t *testing.T) {
	metric := func(name, url string) railyard.Metric {
		return railyard.Metric{Name: name, Provider: railyard.MetricProvider{Web: &railyard.WebMetric{URL: url}}}
	}
	own := railyard.AnalysisTemplate{Name: "smoke", Spec: railyard.AnalysisTemplateSpec{Metrics: []railyard.Metric{metric("own", "http://own")}}}
	shared := staticShared{ClusterTemplates: []railyard.AnalysisTemplate{
		{Name: "smoke", Spec: railyard.AnalysisTemplateSpec{Metrics: []railyard.Metric{metric("up", "http://shared")}}}}}
	cluster := func(name string) railyard.AnalysisTemplateRef {
		return railyard.AnalysisTemplateRef{Name: name, Kind: railyard.KindClusterAnalysisTemplate}
	}
	tests := []struct {
		name    string
		shared  SharedSource
		refs    []railyard.AnalysisTemplateRef
		want    string
		wantErr string
	}{
		{"in the references' order", shared, []railyard.AnalysisTemplateRef{cluster("smoke"), {Name: "smoke"}}, "smoke/up smoke/own", ""},
		{"project template only", shared, []railyard.AnalysisTemplateRef{{Name: "smoke", Kind: "AnalysisTemplate"}}, "smoke/own", ""},
		{"no references: the templates as given", shared, nil, "smoke/own", ""},
		{"not applied", shared, []railyard.AnalysisTemplateRef{cluster("missing")}, "",
			`stage dev: ClusterAnalysisTemplate "missing" has not been applied`},
		{"worker without shared resources", nil, []railyard.AnalysisTemplateRef{cluster("smoke")}, "",
			`this worker cannot read shared resources`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &Activities{Shared: tc.shared}
			plan, err := a.PlanVerification(context.Background(), PlanInput{Project: "p", Stage: "dev",
				Templates: []railyard.AnalysisTemplate{own}, Refs: tc.refs})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range plan {
				got = append(got, p.Template+"/"+p.Metric.Name)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("plan = %v, want %s", got, tc.want)
			}
		})
	}
}
