package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	railyard "github.com/railyard/railyard"
)

// Problem is one thing wrong with (or, as a warning, worth knowing about)
// the manifests: where it is and what it is.
type Problem struct {
	File      string // file name as given to Load or Parse
	Doc       int    // 1-based document number within File; 0 if not tied to one
	Kind      string // resource kind; empty when the document has none
	Namespace string // metadata.namespace (the project)
	Name      string // metadata.name
	Field     string // field path, e.g. spec.subscriptions[0].git.repoURL
	Message   string
}

// String renders the problem as "FILE: Kind namespace/name: field: message".
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File + ": ")
	}
	switch {
	case p.Kind != "":
		b.WriteString(p.Kind)
		if id := p.resourceID(); id != "" {
			b.WriteString(" " + id)
		}
		b.WriteString(": ")
	case p.Doc > 0:
		fmt.Fprintf(&b, "document %d: ", p.Doc)
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

func (p Problem) resourceID() string {
	if p.Namespace == "" {
		return p.Name
	}
	return p.Namespace + "/" + p.Name
}

// Problems lists every problem found in a set of manifests. It is the error
// Load and Parse return.
type Problems []Problem

// Error renders one problem per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Is makes errors.Is(err, railyard.ErrInvalid) true for Problems.
func (ps Problems) Is(target error) bool { return target == railyard.ErrInvalid }

// AsProblems extracts the Problems from err, if it holds some.
func AsProblems(err error) (Problems, bool) {
	var ps Problems
	ok := errors.As(err, &ps)
	return ps, ok
}

// sortProblems orders problems by file, then document, keeping the order in
// which they were found within one document.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Doc < ps[j].Doc
	})
}

// source says where a resource was read from.
type source struct {
	File      string
	Doc       int
	Kind      string
	Namespace string
	Name      string
}

func (s source) problem(field, msg string) Problem {
	return Problem{File: s.File, Doc: s.Doc, Kind: s.Kind, Namespace: s.Namespace,
		Name: s.Name, Field: field, Message: msg}
}

// where renders the location of s for messages about another resource.
func (s source) where() string {
	return fmt.Sprintf("%s document %d", s.File, s.Doc)
}

// report collects problems and warnings. A field whose value had the wrong
// type is reported once: later problems about that field or anything below
// it (it is missing, it is invalid) are dropped.
type report struct {
	problems []Problem
	warnings []Problem
	badTypes map[source][]string
}

func (r *report) add(src source, field, format string, args ...any) {
	for _, bad := range r.badTypes[src] {
		if field == bad || strings.HasPrefix(field, bad+".") || strings.HasPrefix(field, bad+"[") {
			return
		}
	}
	r.problems = append(r.problems, src.problem(field, fmt.Sprintf(format, args...)))
}

// addDecode records a problem found while decoding field.
func (r *report) addDecode(src source, field, msg string) {
	r.add(src, field, "%s", msg)
	if r.badTypes == nil {
		r.badTypes = map[source][]string{}
	}
	r.badTypes[src] = append(r.badTypes[src], field)
}

func (r *report) warn(src source, field, format string, args ...any) {
	r.warnings = append(r.warnings, src.problem(field, fmt.Sprintf(format, args...)))
}
