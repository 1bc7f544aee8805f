package expr

import (
	"fmt"

	"github.com/railyard/railyard"
)

// RenderedLink is a deep link ready to show: its URL evaluated, or the
// reason it could not be.
type RenderedLink struct {
	Title       string `json:"title"`
	URL         string `json:"url,omitempty"`
	Description string `json:"description,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Links renders a ProjectConfig's freightLinks or stageLinks over env
// (for stages: ctx.project and ctx.stage): links whose `if` is false are
// left out, and URLs are evaluated as templates.
func Links(links []railyard.DeepLink, env map[string]any) []RenderedLink {
	ev := New(env)
	var out []RenderedLink
	for _, l := range links {
		r := RenderedLink{Title: l.Title, Description: l.Description}
		if l.If != "" {
			ok, err := ev.Bool(l.If)
			if err != nil {
				r.Error = fmt.Sprintf("if: %v", err)
				out = append(out, r)
				continue
			}
			if !ok {
				continue
			}
		}
		v, err := ev.Template(l.URL)
		if err != nil {
			r.Error = fmt.Sprintf("url: %v", err)
		} else {
			r.URL = fmt.Sprint(v)
		}
		out = append(out, r)
	}
	return out
}
