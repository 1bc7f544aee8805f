package railyard

import (
	"fmt"
	"strings"
)

// TemplateDelimiters are the pairs that enclose an expression in a Kargo
// template string: `${{ … }}`, or `${% … %}` when the expression itself
// contains "}}". The evaluator and config validation both split templates
// with NextExpression, so that what loads is what evaluates.
var TemplateDelimiters = [][2]string{{"${{", "}}"}, {"${%", "%}"}}

// NextExpression splits tmpl around its first expression: the text before
// it, its code (without delimiters) and the text after it. When tmpl has no
// expression it returns tmpl as before and empty code and after. An opening
// delimiter without its closing one, or with nothing but space inside, is
// an error.
func NextExpression(tmpl string) (before, code, after string, err error) {
	start, open, closing := -1, "", ""
	for _, d := range TemplateDelimiters {
		if i := strings.Index(tmpl, d[0]); i >= 0 && (start < 0 || i < start) {
			start, open, closing = i, d[0], d[1]
		}
	}
	if start < 0 {
		return tmpl, "", "", nil
	}
	body := tmpl[start+len(open):]
	end := strings.Index(body, closing)
	if end < 0 {
		return "", "", "", fmt.Errorf("unclosed expression: %q is not closed by %q", open, closing)
	}
	code = body[:end]
	if strings.TrimSpace(code) == "" {
		return "", "", "", fmt.Errorf("empty expression %s %s", open, closing)
	}
	return tmpl[:start], code, body[end+len(closing):], nil
}
