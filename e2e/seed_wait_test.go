package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/railyard/railyard/workflows"
)

// pipeline returns a seed Pipeline's state.
func (w *seedWorld) pipeline(warehouse string) workflows.PipelineState {
	w.t.Helper()
	var whs []struct {
		Status workflows.PipelineState `json:"status"`
	}
	w.e.getJSON(&whs, "warehouses", warehouse, "--project", "seed")
	if len(whs) != 1 {
		w.t.Fatalf("get warehouses %s: %d warehouses", warehouse, len(whs))
	}
	return whs[0].Status
}

// busy says what is still moving in the seed project, or "".
func (w *seedWorld) busy() string {
	for _, s := range seedStages {
		st := w.stage(s)
		switch {
		case st.Current != nil:
			return s + " is promoting " + st.Current.Name
		case len(st.Queue.Pending) > 0:
			return fmt.Sprintf("%s has %d queued", s, len(st.Queue.Pending))
		case len(st.History) > 0 && !st.History[0].Verification.Terminal():
			return s + " is verifying"
		}
	}
	for name, p := range w.promotions() {
		if p.FinishedAt.IsZero() {
			return "promotion " + name + " is " + string(p.Phase)
		}
	}
	return ""
}

// settle waits until nothing has moved for two checks a second apart, so
// that a stage which must not move would have had its chance to.
func (w *seedWorld) settle() {
	w.t.Helper()
	deadline := time.Now().Add(time.Minute)
	quiet, last := 0, ""
	for quiet < 2 {
		if time.Now().After(deadline) {
			w.t.Fatalf("the project did not settle within a minute: %s", last)
		}
		if last = w.busy(); last == "" {
			quiet++
		} else {
			quiet = 0
		}
		time.Sleep(time.Second)
	}
}

// retry runs a CLI command until it succeeds: a stage's verification
// reaches the Pipelines a moment after `get stages` shows it.
func (w *seedWorld) retry(args ...string) string {
	w.t.Helper()
	var err error
	var out string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if out, err = w.e.railyard(args...); err == nil {
			return out
		}
	}
	w.t.Fatal(err)
	return ""
}

// timeToDev measures, from since, how long until project's images Freight
// for tag was minted and until dev held it, verified.
func (w *seedWorld) timeToDev(project, tag string, since time.Time) (minted, inDev time.Duration) {
	w.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for ; time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if minted == 0 {
			for _, f := range w.freight(project, "images") {
				if len(f.Images) == 1 && f.Images[0].Tag == tag {
					minted = time.Since(since)
				}
			}
		}
		if minted != 0 && w.devHolds(project, tag) {
			return minted.Round(time.Millisecond), time.Since(since).Round(time.Millisecond)
		}
	}
	w.t.Fatalf("%s: image %s did not reach dev within 2 minutes (minted after %s)", project, tag, minted)
	return 0, 0
}

// devHolds reports whether project's dev holds image tag, verified.
func (w *seedWorld) devHolds(project, tag string) bool {
	var views []stageView
	w.e.getJSON(&views, "stages", "dev", "--project", project)
	if len(views) != 1 {
		return false
	}
	got, verified := holds(views[0].Status)
	return verified && got.Image == tag
}

// temporalCLI returns the temporal binary, skipping the test when it is
// missing (failing it under CI).
func (w *seedWorld) temporalCLI() string {
	w.t.Helper()
	temporal, err := exec.LookPath("temporal")
	if err != nil {
		if os.Getenv("CI") != "" {
			w.t.Fatal("the temporal CLI is not installed; .ci/run installs it")
		}
		w.t.Skip("the temporal CLI is not installed")
	}
	return temporal
}
