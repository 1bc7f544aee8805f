package activities

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPrepareWorkRoot(t *testing.T) {
	parent := t.TempDir()
	dead := filepath.Join(parent, "dead")
	live := filepath.Join(parent, "live")
	for dir, pid := range map[string]string{dead: "999999999", live: "1"} {
		if err := os.MkdirAll(filepath.Join(dir, "promotion-x"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, pidFile), []byte(pid), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, err := PrepareWorkRoot(parent, "me")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		dir    string
		exists bool
	}{{dead, false}, {live, true}, {root, true}}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.dir), func(t *testing.T) {
			if _, err := os.Stat(tc.dir); (err == nil) != tc.exists {
				t.Errorf("%s exists=%v, want %v", tc.dir, err == nil, tc.exists)
			}
		})
	}
	a := &Activities{WorkRoot: root, HostQueue: "q"}
	ws, err := a.CreateWorkspace(t.Context(), "dev.01/x")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RemoveWorkspace(t.Context(), ws); err != nil {
		t.Fatal(err)
	}
	if err := a.RemoveWorkspace(t.Context(), Workspace{Dir: "/etc"}); err == nil {
		t.Error("removing a directory outside the work root was allowed")
	}
}

func TestRunStepRefusesAnotherWorkersWorkspace(t *testing.T) {
	a := &Activities{WorkRoot: "/work/root-1"}
	cases := []struct {
		dir  string
		here bool
	}{
		{"/work/root-1/dev.x.f1", true},
		{"/work/root-10/dev.x.f1", false},
		{"/work/root-1/../root-2/p", false},
		{"", false},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			if got := a.holds(tc.dir); got != tc.here {
				t.Errorf("holds(%q) = %v, want %v", tc.dir, got, tc.here)
			}
		})
	}
}
