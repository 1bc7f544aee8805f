package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/railyard/railyard/workflows"
)

// Chaos run size: CHAOS_KILLS worker kills over at least CHAOS_PROMOTIONS
// promotions, seeded by CHAOS_SEED. The defaults are the short run of
// `make test`; `make chaos` runs 100 over 100.
const (
	chaosDefaultKills      = 6
	chaosDefaultPromotions = 12
	chaosDefaultSeed       = 15
)

// chaosSettings reads the run's size and seed from the environment.
func chaosSettings(t *testing.T) (kills, promotions int, seed uint64) {
	t.Helper()
	num := func(name string, def int) int {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("%s=%q: want a non-negative integer", name, v)
		}
		return n
	}
	return num("CHAOS_KILLS", chaosDefaultKills), num("CHAOS_PROMOTIONS", chaosDefaultPromotions),
		uint64(num("CHAOS_SEED", chaosDefaultSeed))
}

// chaosManifests is the seed project with every stage auto-promoting both
// Warehouses, so that each new image and config commit moves through dev,
// uat and prod by itself.
func chaosManifests(w *seedWorld) string {
	text := seedManifests(w.images, w.config, w.gitops, "1m")
	const uat = "  - stageSelector:\n      name: uat\n    warehouses: [images]\n    autoPromotionEnabled: true\n"
	if !strings.Contains(text, uat) {
		w.t.Fatal("the seed project's uat promotion policy changed; update chaosManifests")
	}
	return strings.Replace(text, uat, "  - stageSelector:\n      name: uat\n    autoPromotionEnabled: true\n"+
		"  - stageSelector:\n      name: prod\n    autoPromotionEnabled: true\n", 1)
}

// chaos is one run: the world, the workers, the random source and what
// the killer did.
type chaos struct {
	t          *testing.T
	w          *seedWorld
	ce         *clusterEnv
	rng        *rand.Rand
	kills      int // wanted
	promotions int // wanted
	killedAt   []time.Time
	restarts   []time.Duration // kill to restarted worker ready
	nextKill   time.Time       // zero: none scheduled
	seen       int             // promotions seen so far
}

// TestClusterChaos kills a random worker with SIGKILL at random moments
// while images and config commits flow through dev -> uat -> prod on the
// cluster, restarting each killed worker, and then checks that nothing was
// lost: every promotion ended (Succeeded, or Failed with a reason), no
// stage branch got two commits for one promotion, every image and config
// commit became Freight, and every stage holds the last of them.
func TestClusterChaos(t *testing.T) {
	kills, promotions, seed := chaosSettings(t)
	clusterFigure(t, "chaos: seed %d (CHAOS_SEED=%d replays the kill schedule), %d kills over >= %d promotions",
		seed, seed, kills, promotions)
	ce := newClusterEnv(t, 3)
	w := newSeedWorld(t)
	w.e = ce.e
	w.e.project = "seed"
	ch := &chaos{t: t, w: w, ce: ce, rng: rand.New(rand.NewPCG(seed, seed)), kills: kills, promotions: promotions}
	w.e.must("apply", "-f", writeManifests(t, chaosManifests(w)))

	start := time.Now()
	var rounds []slotsWant
	for round := 1; len(ch.killedAt) < kills || ch.seen < promotions; round++ {
		if round > 10*max(promotions, kills)+10 {
			t.Fatalf("round %d: still %d/%d kills, %d/%d promotions", round, len(ch.killedAt), kills, ch.seen, promotions)
		}
		want := ch.round(round)
		rounds = append(rounds, want)
	}
	elapsed := time.Since(start)
	ch.check(rounds)
	ch.report(elapsed, len(rounds))
}

// round pushes image 1.<n>.0 and a config commit, refreshes both
// Warehouses and waits, killing workers as scheduled, until every stage
// holds both.
func (ch *chaos) round(n int) slotsWant {
	w := ch.w
	tag := fmt.Sprintf("1.%d.0", n)
	w.pushImage(tag)
	want := slotsWant{tag, w.commitFlags(fmt.Sprintf("round: %d\n", n))}
	for _, wh := range []string{"images", "config"} {
		ch.tolerant(nil, "refresh", "warehouse", wh, "--project", "seed")
	}
	deadline := time.Now().Add(6 * time.Minute)
	for {
		ch.maybeKill()
		if ch.holds(want) {
			return want
		}
		if time.Now().After(deadline) {
			ch.t.Fatalf("round %d: the stages did not all reach %s within 6 minutes (%d kills so far)",
				n, w.describe(want), len(ch.killedAt))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// holds reports whether every stage holds want, verified, and updates the
// count of promotions seen. Errors (a query reaching a killed worker) read
// as "not yet".
func (ch *chaos) holds(want slotsWant) bool {
	var ps []workflows.PromotionRecord
	if ch.try(&ps, "get", "promotions", "--project", "seed", "-o", "json") == nil {
		ch.seen = max(ch.seen, len(ps))
	}
	for _, s := range seedStages {
		var views []stageView
		if ch.try(&views, "get", "stages", s, "--project", "seed", "-o", "json") != nil || len(views) != 1 {
			return false
		}
		if got, verified := holds(views[0].Status); got != want || !verified {
			return false
		}
	}
	return true
}

// maybeKill kills a random worker when one is due and restarts it. Kills
// keep pace with promotions (kill k waits until k/kills of the promotions
// were seen) and come at a random moment, 0-3 s after they are allowed.
func (ch *chaos) maybeKill() {
	done := len(ch.killedAt)
	if done >= ch.kills {
		return
	}
	allowed := ch.seen >= ch.promotions || done*max(ch.promotions, 1) < (ch.seen+1)*ch.kills
	if !allowed {
		return
	}
	if ch.nextKill.IsZero() {
		ch.nextKill = time.Now().Add(time.Duration(ch.rng.Int64N(int64(3 * time.Second))))
		return
	}
	if time.Now().Before(ch.nextKill) {
		return
	}
	ch.nextKill = time.Time{}
	victim := ch.ce.workers[ch.rng.IntN(len(ch.ce.workers))]
	killed := time.Now()
	victim.Kill()
	ch.killedAt = append(ch.killedAt, killed)
	victim.Start(ch.t)
	ch.restarts = append(ch.restarts, time.Since(killed))
	ch.t.Logf("kill %d/%d: %s (pid %d) at %d promotions; restarted in %s", len(ch.killedAt), ch.kills,
		victim.Name, victim.PIDs[len(victim.PIDs)-2], ch.seen, time.Since(killed).Round(time.Millisecond))
}

// try runs the CLI into v (when not nil), returning its error.
func (ch *chaos) try(v any, args ...string) error {
	out, err := ch.w.e.railyard(args...)
	if err != nil || v == nil {
		return err
	}
	return json.Unmarshal([]byte(out), v)
}

// tolerant runs the CLI until it succeeds, for up to two minutes.
func (ch *chaos) tolerant(v any, args ...string) {
	ch.t.Helper()
	var err error
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if err = ch.try(v, args...); err == nil {
			return
		}
	}
	ch.t.Fatal(err)
}
