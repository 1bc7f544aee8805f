package git

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestListHTTPAsGit checks that the in-process listing of an http remote
// answers what git ls-remote --symref answers, for every pattern LsRemote
// is given: HEAD, a branch, all tags (annotated ones peeled), all refs.
func TestListHTTPAsGit(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	r := Remote{URL: f.url}
	for _, tc := range []struct {
		name     string
		patterns []string
		flag     string
	}{
		{"HEAD", []string{"HEAD"}, ""},
		{"branch", []string{"refs/heads/feature"}, "--heads"},
		{"tags", []string{"refs/tags/*"}, "--tags"},
		{"missing branch", []string{"refs/heads/nope"}, "--heads"},
		{"everything", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, gotHead, err := c.listHTTP(t.Context(), r, tc.patterns)
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"ls-remote", "--symref"}
			if tc.flag != "" {
				args = append(args, tc.flag)
			}
			out, err := c.Run(t.Context(), Cmd{Remote: r.URL, Args: append(append(args, "--", r.URL), tc.patterns...)})
			if err != nil {
				t.Fatal(err)
			}
			want, wantHead := parseLsRemote(out)
			byName := func(a, b RemoteRef) int { return strings.Compare(a.Name, b.Name) }
			slices.SortFunc(got, byName)
			slices.SortFunc(want, byName)
			if !reflect.DeepEqual(got, want) || gotHead != wantHead {
				t.Fatalf("in process: %v, HEAD %q\ngit ls-remote: %v, HEAD %q", got, gotHead, want, wantHead)
			}
		})
	}
}
