package verify

import (
	"fmt"
	"strings"

	"k8s.io/client-go/util/jsonpath"
)

// JSONPath picks a value out of a decoded JSON document with Kubernetes
// JSONPath, the implementation Argo Rollouts' web provider uses: one
// template in braces ({$.data.ok}, {.items[-1].v}, {$.items[*].v},
// {$..v}, filters). A path that matches one value gives that value; one
// that matches several gives the list of them. An empty path means the
// whole document.
func JSONPath(doc any, path string) (any, error) {
	p := strings.TrimSpace(path)
	if p == "" {
		return doc, nil
	}
	if !strings.HasPrefix(p, "{") || !strings.HasSuffix(p, "}") {
		return nil, fmt.Errorf("jsonPath %q: wrap the expression in braces, like {$.data.ok}", path)
	}
	jp := jsonpath.New("jsonPath")
	if err := jp.Parse(p); err != nil {
		return nil, fmt.Errorf("jsonPath %q: %w", path, err)
	}
	results, err := jp.FindResults(doc)
	if err != nil {
		return nil, fmt.Errorf("jsonPath %s: %w", path, err)
	}
	var values []any
	for _, rs := range results {
		for _, r := range rs {
			if r.IsValid() && r.CanInterface() {
				values = append(values, r.Interface())
			}
		}
	}
	switch len(values) {
	case 0:
		return nil, fmt.Errorf("jsonPath %s matches nothing", path)
	case 1:
		return values[0], nil
	}
	return values, nil
}
