package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard"
)

// sub is w seen from a subtest: its failures end the subtest.
func (w *seedWorld) sub(t *testing.T) *seedWorld {
	e := *w.e
	e.t = t
	s := *w
	s.t, s.e = t, &e
	return &s
}

// stepTemporalSignal promotes config v2 to uat with the real Temporal CLI,
// by alias: uat becomes (v2, v2), a combination verified in dev.
func (w *seedWorld) stepTemporalSignal(t *testing.T, uat, prod slotsWant) {
	w = w.sub(t)
	temporal := w.temporalCLI()
	alias := w.configFreight(uat.Config).Alias
	input := fmt.Sprintf(`{"stage":"uat","freight":%q}`, alias)
	cmd := exec.Command(temporal, "workflow", "signal", "--address", w.e.addr, "--namespace", "default",
		"--workflow-id", railyard.PipelineWorkflowID("seed", "config"), "--name", "promote", "--input", input)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("temporal workflow signal: %v: %s", err, out)
	}
	w.await(time.Minute, "config v2 in uat by signal", map[string]slotsWant{"uat": uat, "prod": prod})
	w.wantProvenance("uat", []string{"dev"})
	if rej := w.pipeline("config").Rejected; len(rej) != 0 {
		t.Fatalf("the promote signal was rejected: %+v", rej)
	}
}

// measurePolling times new image tags reaching dev with discovery by
// polling alone (interval: 10s), in a second project on the same worker.
func (w *seedWorld) measurePolling(t *testing.T) {
	w = w.sub(t)
	ops := w.git.CreateRepo(t, "pollops")
	w.git.Commit(t, "pollops", "main", map[string]string{"README.md": "poll\n"}, "init")
	repo := w.reg.Host + "/poll"
	w.pushTo("poll", "1.0.0")
	text := strings.NewReplacer("@IMAGES@", repo, "@GITOPS@", ops).Replace(seedPollProject)
	w.e.must("apply", "-f", writeManifests(t, text))
	w.e.eventually(2*time.Minute, "seedpoll dev at 1.0.0", func() bool { return w.devHolds("seedpoll", "1.0.0") })

	var total time.Duration
	const samples = 3
	for i := 1; i <= samples; i++ {
		tag := fmt.Sprintf("1.0.%d", i)
		pushed := time.Now()
		w.pushTo("poll", tag)
		minted, inDev := w.timeToDev("seedpoll", tag, pushed)
		w.figure("image tag -> Freight (polling, interval 10s) sample %d: minted %s, in dev %s", i, minted, inDev)
		total += inDev
		time.Sleep(time.Duration(i) * 2 * time.Second) // vary the phase against the poll timer
	}
	w.figure("image tag -> Freight in dev (polling, interval 10s): mean %s over %d samples",
		(total / samples).Round(time.Millisecond), samples)
}
