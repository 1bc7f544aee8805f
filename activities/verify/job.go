package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/railyard/railyard"
)

// jobMaxDeadline bounds a job's runs below the Measure activity's
// two-minute limit, so that a slow job is a Failed measurement, not a
// timed-out activity.
const jobMaxDeadline = 110 * time.Second

// measureJob runs the Job's container command as a process on the worker,
// retrying a failed run up to backoffLimit times: exit code 0 is
// Successful, a non-zero exit or the deadline Failed, a command that
// cannot start an Error. The process gets only the container's env (plus
// PATH, and HOME set to its scratch directory), never the worker's.
func measureJob(ctx context.Context, m railyard.Metric) Measurement {
	spec := m.Provider.Job.Spec
	if n := len(spec.Template.Spec.Containers); n != 1 {
		return errorMeasurement("metric %q: a job needs exactly one container, not %d", m.Name, n)
	}
	c := spec.Template.Spec.Containers[0]
	argv := append(append([]string(nil), c.Command...), c.Args...)
	if len(c.Command) == 0 {
		return errorMeasurement("metric %q: container %q has no command (Railyard runs the command on the worker, not the image)", m.Name, c.Name)
	}
	deadline := jobMaxDeadline
	if d := spec.ActiveDeadlineSeconds; d != nil && *d > 0 && time.Duration(*d)*time.Second < deadline {
		deadline = time.Duration(*d) * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	attempts := railyard.DefaultJobBackoffLimit + 1
	if b := spec.BackoffLimit; b != nil && *b >= 0 {
		attempts = *b + 1
	}
	var last Measurement
	for i := 0; i < attempts && ctx.Err() == nil; i++ {
		last = runJobOnce(ctx, m.Name, c, argv)
		if last.Phase != railyard.AnalysisFailed {
			return last
		}
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		last = Measurement{Phase: railyard.AnalysisFailed, Message: fmt.Sprintf("metric %q: job %q did not finish within %s", m.Name, c.Name, deadline)}
	}
	return last
}

func runJobOnce(ctx context.Context, metric string, c railyard.JobContainer, argv []string) Measurement {
	scratch, err := os.MkdirTemp("", "railyard-job-")
	if err != nil {
		return errorMeasurement("metric %q: creating the job's directory: %v", metric, err)
	}
	defer os.RemoveAll(scratch)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = scratch
	if c.WorkingDir != "" {
		cmd.Dir = c.WorkingDir
	}
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + scratch}
	for _, e := range c.Env {
		cmd.Env = append(cmd.Env, e.Name+"="+e.Value)
	}
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return Measurement{Phase: railyard.AnalysisSuccessful, Value: "0", Message: outputTail(out)}
	case errors.As(err, &exit) && ctx.Err() == nil:
		return Measurement{Phase: railyard.AnalysisFailed, Value: fmt.Sprint(exit.ExitCode()),
			Message: strings.TrimSpace(fmt.Sprintf("metric %q: job %q exited with %d: %s", metric, c.Name, exit.ExitCode(), outputTail(out)))}
	case ctx.Err() != nil:
		return Measurement{Phase: railyard.AnalysisFailed, Message: fmt.Sprintf("metric %q: job %q stopped: %v", metric, c.Name, ctx.Err())}
	}
	return errorMeasurement("metric %q: starting job %q (%s): %v", metric, c.Name, argv[0], err)
}

// outputTail is the end of a job's output, for the measurement's message.
func outputTail(out []byte) string {
	s := strings.TrimSpace(string(out))
	if len(s) > 512 {
		s = "…" + s[len(s)-512:]
	}
	return s
}
