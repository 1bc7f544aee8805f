package railyard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/expr-lang/expr"
)

// Deep links, as Kargo evaluates them: `if` is an expr-lang expression and
// `url` a Go text/template (with Sprig's functions, minus those reading the
// environment or the network), both over {"stage": …} or {"freight": …},
// the resource as Kargo's API shows it.

// ResolvedLink is a deep link ready to show.
type ResolvedLink struct {
	Title       string `json:"title"`
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

// LinkFuncs are the template functions of deep link URLs.
func LinkFuncs() template.FuncMap {
	fns := sprig.GenericFuncMap()
	for _, f := range []string{"env", "expandenv", "getHostByName"} {
		delete(fns, f)
	}
	return fns
}

// ParseLinkURL parses a deep link's URL template.
func ParseLinkURL(url string) (*template.Template, error) {
	return template.New("url").Funcs(LinkFuncs()).Parse(url)
}

// ResolveLinks evaluates links over ctx: a link whose `if` is false is left
// out; a link that cannot be evaluated is reported in errs.
func ResolveLinks(links []DeepLink, ctx map[string]any) (out []ResolvedLink, errs []string) {
	for _, l := range links {
		if l.If != "" {
			v, err := expr.Eval(l.If, ctx)
			if err != nil {
				errs = append(errs, fmt.Sprintf("link %q: if: %v", l.Title, err))
				continue
			}
			if ok, isBool := v.(bool); !isBool || !ok {
				if !isBool {
					errs = append(errs, fmt.Sprintf("link %q: if gives %T, not a boolean", l.Title, v))
				}
				continue
			}
		}
		t, err := ParseLinkURL(l.URL)
		var b bytes.Buffer
		if err == nil {
			err = t.Execute(&b, ctx)
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("link %q: url: %v", l.Title, err))
			continue
		}
		out = append(out, ResolvedLink{Title: l.Title, URL: b.String(), Description: l.Description})
	}
	return out, errs
}

// StageLinkContext is {"stage": …} for a project's stage, shaped as Kargo's
// Stage resource (metadata.name, metadata.namespace, metadata.labels, spec).
func StageLinkContext(project string, s Stage) map[string]any {
	return map[string]any{"stage": map[string]any{
		"metadata": map[string]any{"name": s.Name, "namespace": project, "labels": s.Labels},
		"spec":     asMap(s.Spec),
	}}
}

// FreightLinkContext is {"freight": …} for a project's Freight, shaped as
// Kargo's Freight resource (metadata.name is the ID; alias, origin,
// commits, images, charts at the top).
func FreightLinkContext(project string, f Freight) map[string]any {
	m := asMap(f)
	m["metadata"] = map[string]any{"name": f.ID, "namespace": project}
	return map[string]any{"freight": m}
}

func asMap(v any) map[string]any {
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if m == nil {
		m = map[string]any{}
	}
	return m
}
