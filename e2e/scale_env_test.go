package e2e

import (
	"fmt"
	"testing"
)

// scaleEnv is an env for the scale tests and benchmarks: an info-level
// worker log, so that thousands of workflows cost the workers little, and
// the worker processes whose memory and CPU are measured.
type scaleEnv struct {
	*env
	workers []scaleWorker
	// serverPID is the Temporal server's process; nil when it runs in this
	// process (the embedded dev server).
	serverPID func() int
}

// scaleWorker is one measured worker process; pid returns its current
// process id (a cluster worker may have been restarted).
type scaleWorker struct {
	name string
	pid  func() int
}

// newScaleEnv is the embedded dev server and one worker process.
func newScaleEnv(tb testing.TB) *scaleEnv {
	e := newEnv(tb, withLogLevel("info"))
	return &scaleEnv{env: e, workers: []scaleWorker{{"worker", func() int { return e.worker.Process.Pid }}}}
}

// scaleEnvOf measures a cluster's workers (started with --log-level info).
func scaleEnvOf(ce *clusterEnv) *scaleEnv {
	se := &scaleEnv{env: ce.e, serverPID: ce.Server.PID}
	for _, w := range ce.workers {
		se.workers = append(se.workers, scaleWorker{w.Name, func() int { return w.PIDs[len(w.PIDs)-1] }})
	}
	return se
}

// memory returns each worker's VmRSS and VmHWM in MB.
func (e *scaleEnv) memory() (rss, peak []float64) {
	e.t.Helper()
	for _, w := range e.workers {
		r, p := procMemory(e.t, fmt.Sprintf("/proc/%d/status", w.pid()))
		rss, peak = append(rss, r), append(peak, p)
	}
	return rss, peak
}

// cpu returns each worker's CPU time so far, its own and that of its
// waited-for children (git, helm…), from /proc/<pid>/stat.
func (e *scaleEnv) cpu() (own, children []float64) {
	e.t.Helper()
	for _, w := range e.workers {
		o, c := procCPU(e.t, w.pid())
		own, children = append(own, o), append(children, c)
	}
	return own, children
}

// serverRSS is the Temporal server's VmRSS in MB (with the test's own, on
// the embedded dev server).
func (e *scaleEnv) serverRSS() float64 {
	e.t.Helper()
	path := "/proc/self/status"
	if e.serverPID != nil {
		path = fmt.Sprintf("/proc/%d/status", e.serverPID())
	}
	rss, _ := procMemory(e.t, path)
	return rss
}
