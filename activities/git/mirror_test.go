package git

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestSyncMirrorUpkeep fetches new commits into a mirror that keeps every
// fetch as a pack and whose upkeep is due beyond two packs: the packs are
// combined at every maintainEvery-th fetch, not at every fetch.
func TestSyncMirrorUpkeep(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	r := Remote{URL: f.url}
	dir, err := c.SyncMirror(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{{"fetch.unpackLimit", "1"}, {"gc.autoPackLimit", "2"}} {
		if _, err := c.Git(context.Background(), dir, "config", kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	packs := func() int {
		m, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
		return len(m)
	}
	for i := 2; i <= maintainEvery; i++ { // the first fetch above counts
		f.srv.Commit(t, "demo", "main", map[string]string{"f.txt": fmt.Sprint(i)}, "change")
		if _, err := c.SyncMirror(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		if n := packs(); i == maintainEvery-1 && n <= 2 {
			t.Fatalf("%d packs after %d fetches: upkeep ran before it was due", n, i)
		}
	}
	if n := packs(); n > 2 {
		t.Fatalf("%d packs after %d fetches: upkeep did not run", n, maintainEvery)
	}
}
