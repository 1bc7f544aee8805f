package railyard

import (
	"strings"
	"testing"
)

func TestTagFilter(t *testing.T) {
	tests := []struct {
		name          string
		allow, ignore []string
		want          string
	}{
		{"none", nil, nil, "v1.0.0 v1.1.0-rc.1 latest"},
		{"allow any", []string{`^v1\.0`, `^latest$`}, nil, "v1.0.0 latest"},
		{"ignore wins", []string{`^v`}, []string{`-rc`}, "v1.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := NewTagFilter(tt.allow, tt.ignore)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(f.Filter([]string{"v1.0.0", "v1.1.0-rc.1", "latest"}), " "); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := NewTagFilter(nil, []string{"("}); err == nil || !strings.Contains(err.Error(), "ignoreTagsRegexes") {
		t.Errorf("bad regex error = %v", err)
	}
}

func TestSelectVersions(t *testing.T) {
	tags := []string{"1.0", "v1.2.0", "1.10.0", "1.2.0", "2.0.0-rc.1", "latest", "1.10.0", "v3", "1.2.3-01"}
	tests := []struct {
		name       string
		constraint string
		strict     bool
		limit      int
		want       string
	}{
		{"lenient, all", "", false, 0, "v3 2.0.0-rc.1 1.10.0 v1.2.0 1.2.0 1.0"},
		{"strict drops partial versions", "", true, 0, "2.0.0-rc.1 1.10.0 v1.2.0 1.2.0"},
		{"constraint", "^1.2", true, 0, "1.10.0 v1.2.0 1.2.0"},
		{"limit", "", true, 2, "2.0.0-rc.1 1.10.0"},
		{"pre-releases only when asked", ">=2.0.0-0", false, 0, "v3 2.0.0-rc.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConstraint(tt.constraint)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(SelectVersions(tags, VersionRule{Constraint: c, Strict: tt.strict}, tt.limit), " ")
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := ParseConstraint(">> 1"); err == nil {
		t.Error("a bad constraint parsed")
	}
}

func TestSortLexical(t *testing.T) {
	if got := strings.Join(SortLexical([]string{"b", "a", "c"}), ""); got != "cba" {
		t.Errorf("got %q", got)
	}
}
