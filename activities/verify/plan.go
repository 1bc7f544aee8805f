package verify

import (
	"fmt"

	"github.com/railyard/railyard"
)

// Plan resolves the arguments of every template of project (ResolveArgs) and
// substitutes them into its metrics (SubstituteMetric), in template order.
// Like Kargo, which flattens a Stage's templates into one AnalysisRun, it
// rejects two metrics of the same name. Metrics the template's dryRun names
// are marked DryRun.
func Plan(project string, templates []railyard.AnalysisTemplate, stageArgs []railyard.AnalysisRunArgument,
	eval func(string) (string, error)) ([]PlannedMetric, error) {
	var out []PlannedMetric
	seen := map[string]string{}
	for _, tmpl := range templates {
		args, err := ResolveArgs(project, tmpl, stageArgs, eval)
		if err != nil {
			return nil, err
		}
		for _, m := range tmpl.Spec.Metrics {
			if other, dup := seen[m.Name]; dup {
				return nil, fmt.Errorf("analysis templates %q and %q both have a metric %q", other, tmpl.Name, m.Name)
			}
			seen[m.Name] = tmpl.Name
			metric, err := SubstituteMetric(m, args)
			if err != nil {
				return nil, fmt.Errorf("analysis template %q: %w", tmpl.Name, err)
			}
			for _, d := range tmpl.Spec.DryRun {
				metric.DryRun = metric.DryRun || railyard.MatchesMetric(d.MetricName, m.Name)
			}
			metric.Retention = retention(tmpl.Spec.MeasurementRetention, m.Name)
			out = append(out, PlannedMetric{Template: tmpl.Name, Metric: metric})
		}
	}
	return out, nil
}

// retention is the limit of the first measurementRetention entry naming
// the metric, as Argo Rollouts reads them; 0 when none does.
func retention(entries []railyard.MeasurementRetention, metric string) int {
	for _, e := range entries {
		if railyard.MatchesMetric(e.MetricName, metric) {
			return e.Limit
		}
	}
	return 0
}
