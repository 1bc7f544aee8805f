package verify

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/railyard/railyard"
)

func jobMetric(c railyard.JobContainer, backoff *int, deadline *int64) railyard.Metric {
	return railyard.Metric{Name: "it", Provider: railyard.MetricProvider{Job: &railyard.JobMetric{Spec: railyard.JobSpec{
		BackoffLimit: backoff, ActiveDeadlineSeconds: deadline,
		Template: railyard.JobTemplate{Spec: railyard.JobPodSpec{RestartPolicy: "Never", Containers: []railyard.JobContainer{c}}}}}}}
}

// TestJobProviderRunsProcesses runs real processes through Measure.
func TestJobProviderRunsProcesses(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh on this machine")
	}
	zero, one := 0, 1
	second := int64(1)
	sh := func(script string) railyard.JobContainer {
		return railyard.JobContainer{Name: "test", Image: "alpine:latest", Command: []string{"sh", "-c"}, Args: []string{script}}
	}
	dir := t.TempDir()
	flaky := sh(`n=$(cat n 2>/dev/null || echo 0); echo $((n+1)) > n; echo "run $n"; [ "$n" -ge 1 ]`)
	flaky.WorkingDir = dir
	env := sh(`test "$GREETING" = hi && test -z "$RAILYARD_WORKER_ONLY" && echo "env ok"`)
	env.Env = []railyard.JobEnvVar{{Name: "GREETING", Value: "hi"}}
	t.Setenv("RAILYARD_WORKER_ONLY", "not for jobs")
	tests := []struct {
		name   string
		metric railyard.Metric
		phase  railyard.AnalysisPhase
		msg    string
	}{
		{"exit 0 succeeds", jobMetric(sh("echo fine"), nil, nil), railyard.AnalysisSuccessful, "fine"},
		{"non-zero exit fails", jobMetric(sh("echo broken >&2; exit 3"), &zero, nil), railyard.AnalysisFailed, `job "test" exited with 3: broken`},
		{"backoffLimit retries a failed run", jobMetric(flaky, &one, nil), railyard.AnalysisSuccessful, "run 1"},
		{"only the container's env", jobMetric(env, &zero, nil), railyard.AnalysisSuccessful, "env ok"},
		{"activeDeadlineSeconds", jobMetric(sh("sleep 10"), &zero, &second), railyard.AnalysisFailed, "did not finish within 1s"},
		{"a command that does not exist", jobMetric(railyard.JobContainer{Name: "x", Command: []string{"/no/such/tool"}}, &zero, nil),
			railyard.AnalysisError, `starting job "x" (/no/such/tool)`},
		{"no command", jobMetric(railyard.JobContainer{Name: "x", Image: "alpine"}, nil, nil), railyard.AnalysisError, "has no command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := (&Measurer{}).Measure(context.Background(), MeasureInput{Metric: tc.metric})
			if err != nil {
				t.Fatal(err)
			}
			if got.Phase != tc.phase || !strings.Contains(got.Message, tc.msg) {
				t.Errorf("measurement = %s %q, want %s containing %q", got.Phase, got.Message, tc.phase, tc.msg)
			}
		})
	}
}
