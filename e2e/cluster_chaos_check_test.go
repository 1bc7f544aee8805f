package e2e

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/railyard/railyard"
	"github.com/railyard/railyard/workflows"
)

// check waits for the project to come to rest and checks that the run lost
// nothing.
func (ch *chaos) check(rounds []slotsWant) {
	t := ch.t
	t.Helper()
	ps := ch.rest()
	byName := map[string]workflows.PromotionRecord{}
	for _, p := range ps {
		byName[p.Name] = p
		switch {
		case p.Phase == railyard.PhaseSucceeded:
		case p.FinishedAt.IsZero():
			t.Errorf("promotion %s of %s never ended: %s", p.Name, p.Stage, p.Phase)
		case p.Message == "":
			t.Errorf("promotion %s of %s ended %s without a reason", p.Name, p.Stage, p.Phase)
		}
	}
	dups, empty := ch.commitsPerPromotion(byName)
	if dups != 0 {
		t.Errorf("%d promotions have more than one commit on their stage branch", dups)
	}
	ch.freightKept(rounds)
	last := rounds[len(rounds)-1]
	if !ch.holds(last) {
		t.Errorf("after the run, not every stage holds the last round's %s", ch.w.describe(last))
	}
	clusterFigure(t, "chaos: duplicate commits %d; succeeded promotions that committed nothing (no change) %d", dups, empty)
}

// rest waits up to three minutes until no stage is promoting, queued or
// verifying and every promotion has ended, and returns the promotions.
func (ch *chaos) rest() []workflows.PromotionRecord {
	ch.t.Helper()
	var ps []workflows.PromotionRecord
	last := ""
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		if last = ch.moving(&ps); last == "" {
			return ps
		}
	}
	ch.t.Fatalf("the project did not come to rest within 3 minutes: %s", last)
	return nil
}

// moving says what still moves, or "" (filling ps with the promotions).
func (ch *chaos) moving(ps *[]workflows.PromotionRecord) string {
	for _, s := range seedStages {
		var views []stageView
		if err := ch.try(&views, "get", "stages", s, "--project", "seed", "-o", "json"); err != nil || len(views) != 1 {
			return fmt.Sprintf("get stages %s: %v", s, err)
		}
		st := views[0].Status
		switch {
		case st.Current != nil:
			return s + " is promoting " + st.Current.Name
		case len(st.Queue.Pending) > 0:
			return fmt.Sprintf("%s has %d queued", s, len(st.Queue.Pending))
		case len(st.History) > 0 && !st.History[0].Verification.Terminal():
			return s + " is verifying"
		}
	}
	if err := ch.try(ps, "get", "promotions", "--project", "seed", "-o", "json"); err != nil {
		return err.Error()
	}
	for _, p := range *ps {
		if p.FinishedAt.IsZero() {
			return "promotion " + p.Name + " is " + string(p.Phase)
		}
	}
	return ""
}

// commitsPerPromotion counts, on every stage branch, the commits carrying
// each promotion's trailer: more than one is a duplicate; a trailer must
// name a promotion of that stage. It returns the duplicates and the
// succeeded promotions without a commit.
func (ch *chaos) commitsPerPromotion(byName map[string]workflows.PromotionRecord) (dups, empty int) {
	t := ch.t
	committed := map[string]int{}
	for _, s := range seedStages {
		for _, c := range branchLog(t, ch.w.git, "gitops", "stage/"+s) {
			for _, line := range strings.Split(c.Message, "\n") {
				name, ok := strings.CutPrefix(strings.TrimSpace(line), "Railyard-Promotion: ")
				if !ok {
					continue
				}
				if p, known := byName[name]; !known || p.Stage != s {
					t.Errorf("stage/%s commit %s names promotion %q, not one of stage %s", s, c.SHA[:7], name, s)
				}
				committed[name]++
			}
		}
	}
	for name, n := range committed {
		if n > 1 {
			t.Errorf("promotion %s has %d commits on stage/%s", name, n, byName[name].Stage)
			dups++
		}
	}
	for name, p := range byName {
		if p.Phase == railyard.PhaseSucceeded && committed[name] == 0 {
			empty++
		}
	}
	return dups, empty
}

// freightKept checks that every round's image and config commit became
// Freight.
func (ch *chaos) freightKept(rounds []slotsWant) {
	var all []railyard.Freight
	ch.tolerant(&all, "get", "freight", "--project", "seed", "-o", "json")
	have := map[string]bool{}
	for _, f := range all {
		for _, img := range f.Images {
			have["image "+img.Tag] = true
		}
		for _, c := range f.Commits {
			have["commit "+c.ID] = true
		}
	}
	for i, r := range rounds {
		for _, k := range []string{"image " + r.Image, "commit " + r.Config} {
			if !have[k] {
				ch.t.Errorf("round %d: no Freight for %s", i+1, k)
			}
		}
	}
	clusterFigure(ch.t, "chaos: %d Freight for %d rounds (one image and one config commit each)", len(all), len(rounds))
}

// report prints the run's figures: promotions by phase, kills, restart
// times, and how long promotions took with and without a kill during them.
func (ch *chaos) report(elapsed time.Duration, rounds int) {
	var ps []workflows.PromotionRecord
	ch.tolerant(&ps, "get", "promotions", "--project", "seed", "-o", "json")
	phases := map[railyard.PromotionPhase]int{}
	var hit, calm []time.Duration
	for _, p := range ps {
		phases[p.Phase]++
		if p.Phase != railyard.PhaseSucceeded {
			clusterFigure(ch.t, "chaos: promotion %s of %s ended %s: %s", p.Name, p.Stage, p.Phase, p.Message)
		}
		d := p.FinishedAt.Sub(p.StartedAt)
		if slices.ContainsFunc(ch.killedAt, func(k time.Time) bool { return !k.Before(p.StartedAt) && !k.After(p.FinishedAt) }) {
			hit = append(hit, d)
		} else {
			calm = append(calm, d)
		}
	}
	clusterFigure(ch.t, "chaos: %d rounds, %d promotions %v, %d worker kills (SIGKILL) in %s",
		rounds, len(ps), phases, len(ch.killedAt), elapsed.Round(time.Second))
	clusterFigure(ch.t, "chaos: killed worker restarted and ready: %s", spread(ch.restarts))
	clusterFigure(ch.t, "chaos: promotions with a kill during them (%d): %s", len(hit), spread(hit))
	clusterFigure(ch.t, "chaos: promotions without (%d): %s", len(calm), spread(calm))
}

// spread renders durations as "median M, p90 P, max X".
func spread(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration {
		return s[min(len(s)-1, int(q*float64(len(s))))].Round(10 * time.Millisecond)
	}
	return fmt.Sprintf("median %s, p90 %s, max %s", at(0.5), at(0.9), s[len(s)-1].Round(10*time.Millisecond))
}
