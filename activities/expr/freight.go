package expr

import (
	"fmt"
	"slices"

	"github.com/expr-lang/expr"

	"github.com/railyard/railyard"
)

// Freight is what the artifact functions look at: the target collection,
// the origins the Stage requests and the project's Warehouses.
type Freight struct {
	Collection railyard.Collection
	// Requested are the Stage's requested origins; when empty, the origins
	// present in the collection are used.
	Requested  []railyard.FreightOrigin
	Warehouses []railyard.Warehouse
	// Empty, when set, records the requested origins whose empty slot an
	// expression asked for.
	Empty *EmptySlots
}

// EmptySlots records the origins (Warehouse names) whose slot was empty
// when an artifact function asked for it.
type EmptySlots struct{ names []string }

func (e *EmptySlots) add(name string) {
	if e != nil && !slices.Contains(e.names, name) {
		e.names = append(e.names, name)
	}
}

// Names lists the recorded origins in the order they were asked for.
func (e *EmptySlots) Names() []string {
	if e == nil {
		return nil
	}
	return e.names
}

// FreightFunctions returns warehouse, commitFrom, imageFrom and chartFrom
// over f. The *From functions return Kargo's objects (fields RepoURL, ID,
// Tag, Digest, Name, Version …) or nil when the collection has no such
// artifact. Without an origin argument they fail when more than one
// requested Warehouse subscribes to the repository.
func FreightFunctions(f Freight) []expr.Option {
	return []expr.Option{
		expr.Function("warehouse", warehouseFn, new(func(string) railyard.FreightOrigin)),
		expr.Function("commitFrom", f.commitFrom,
			new(func(string) *railyard.GitCommit),
			new(func(string, railyard.FreightOrigin) *railyard.GitCommit)),
		expr.Function("imageFrom", f.imageFrom,
			new(func(string) *railyard.Image),
			new(func(string, railyard.FreightOrigin) *railyard.Image)),
		expr.Function("chartFrom", f.chartFrom,
			new(func(string) *railyard.Chart),
			new(func(string, string) *railyard.Chart),
			new(func(string, railyard.FreightOrigin) *railyard.Chart),
			new(func(string, string, railyard.FreightOrigin) *railyard.Chart)),
	}
}

func warehouseFn(a ...any) (any, error) {
	name := a[0].(string)
	if name == "" {
		return nil, fmt.Errorf("warehouse(): name must not be empty")
	}
	return railyard.WarehouseOrigin(name), nil
}

// matcher tells whether a subscription or an artifact concerns the repo.
type matcher struct {
	kind string // "git", "image", "chart"
	sub  func(railyard.Subscription) bool
	ref  func(railyard.FreightRef) (any, bool)
}

func (f Freight) commitFrom(a ...any) (any, error) {
	repo := railyard.NormalizeGitURL(a[0].(string))
	m := matcher{kind: "git",
		sub: func(s railyard.Subscription) bool {
			return s.Git != nil && railyard.NormalizeGitURL(s.Git.RepoURL) == repo
		},
		ref: func(r railyard.FreightRef) (any, bool) {
			for i := range r.Commits {
				if railyard.NormalizeGitURL(r.Commits[i].RepoURL) == repo {
					c := r.Commits[i]
					return &c, true
				}
			}
			return nil, false
		}}
	return f.find(a[0].(string), m, originArg(a, 1))
}

func (f Freight) imageFrom(a ...any) (any, error) {
	repo := a[0].(string)
	same := func(u string) bool {
		return u == repo || railyard.NormalizeImageURL(u) == railyard.NormalizeImageURL(repo)
	}
	m := matcher{kind: "image",
		sub: func(s railyard.Subscription) bool { return s.Image != nil && same(s.Image.RepoURL) },
		ref: func(r railyard.FreightRef) (any, bool) {
			for i := range r.Images {
				if same(r.Images[i].RepoURL) {
					img := r.Images[i]
					return &img, true
				}
			}
			return nil, false
		}}
	return f.find(repo, m, originArg(a, 1))
}

func (f Freight) chartFrom(a ...any) (any, error) {
	repo, name := a[0].(string), ""
	origin := originArg(a, 1)
	if len(a) > 1 {
		if s, ok := a[1].(string); ok {
			name, origin = s, originArg(a, 2)
		}
	}
	same := func(u, n string) bool {
		return n == name && (u == repo || railyard.NormalizeChartURL(u) == railyard.NormalizeChartURL(repo))
	}
	m := matcher{kind: "chart",
		sub: func(s railyard.Subscription) bool { return s.Chart != nil && same(s.Chart.RepoURL, s.Chart.Name) },
		ref: func(r railyard.FreightRef) (any, bool) {
			for i := range r.Charts {
				if same(r.Charts[i].RepoURL, r.Charts[i].Name) {
					c := r.Charts[i]
					return &c, true
				}
			}
			return nil, false
		}}
	return f.find(repo, m, origin)
}

func originArg(a []any, i int) *railyard.FreightOrigin {
	if len(a) <= i {
		return nil
	}
	if o, ok := a[i].(railyard.FreightOrigin); ok {
		return &o
	}
	return nil
}

// find resolves the origin (given, or the single requested Warehouse that
// subscribes to the repo) and returns the artifact from its slot, or nil.
func (f Freight) find(repo string, m matcher, origin *railyard.FreightOrigin) (any, error) {
	if origin == nil {
		o, err := f.soleProvider(repo, m)
		if err != nil || o == nil {
			return nil, err
		}
		origin = o
	}
	ref, ok := f.Collection.Get(*origin)
	if !ok {
		f.Empty.add(origin.Name)
		return nil, nil
	}
	if v, ok := m.ref(ref); ok {
		return v, nil
	}
	return nil, nil
}

// soleProvider returns the one requested origin able to provide the repo.
// An origin whose Warehouse spec is unknown counts as a provider when its
// Freight in the collection carries the artifact.
func (f Freight) soleProvider(repo string, m matcher) (*railyard.FreightOrigin, error) {
	var found *railyard.FreightOrigin
	for _, o := range f.requested() {
		if !f.provides(o, m) {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%w: Warehouses %q and %q both subscribe to %s repository %s; "+
				"pass warehouse(\"<name>\") to disambiguate",
				railyard.ErrAmbiguous, found.Name, o.Name, m.kind, repo)
		}
		found = &o
	}
	return found, nil
}

func (f Freight) provides(o railyard.FreightOrigin, m matcher) bool {
	for _, w := range f.Warehouses {
		if w.Name != o.Name {
			continue
		}
		for _, s := range w.Spec.Subscriptions {
			if m.sub(s) {
				return true
			}
		}
		return false
	}
	ref, ok := f.Collection.Get(o)
	if !ok {
		return false
	}
	_, ok = m.ref(ref)
	return ok
}

func (f Freight) requested() []railyard.FreightOrigin {
	if len(f.Requested) > 0 {
		return f.Requested
	}
	out := make([]railyard.FreightOrigin, 0, len(f.Collection.Items))
	for _, r := range f.Collection.Refs() {
		out = append(out, r.Origin)
	}
	return out
}
