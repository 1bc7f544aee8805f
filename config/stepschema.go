package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A shape describes the JSON a step's config (or a part of it) must have:
// the shape of Kargo's step schemas, written down as facts (keys, types,
// required keys, enums, keys that exclude each other) and checked at apply
// time so that a bad config fails `validate`, not a promotion.
//
// A string holding a ${{ }} expression may evaluate to anything, so only its
// expressions are checked (by checkConfigTemplates), not its type or value.
type shape struct {
	kind     valueKind
	nonEmpty bool // strings: not ""; lists: at least one item; maps: one key
	enum     []string
	pattern  *regexp.Regexp
	hint     string // what pattern means, for messages
	min, max *int64

	fields   map[string]*shape // objects
	required []string
	open     bool   // objects: other keys are allowed
	values   *shape // maps: every value
	items    *shape // lists
	rules    []exclusive

	notYet string // set on a field Railyard does not act on yet
}

type valueKind int

const (
	anyKind valueKind = iota
	stringKind
	boolKind
	intKind
	objectKind
	mapKind
	listKind
)

// exclusive says that of keys at most one may be set, or (exactlyOne)
// exactly one. A key is set when present and neither null, "" nor false.
type exclusive struct {
	keys       []string
	exactlyOne bool
}

// field is one key of an object shape.
type field struct {
	name     string
	shape    *shape
	required bool
}

func req(name string, s *shape) field { return field{name: name, shape: s, required: true} }
func opt(name string, s *shape) field { return field{name: name, shape: s} }

func object(fs ...field) *shape {
	s := &shape{kind: objectKind, fields: map[string]*shape{}}
	for _, f := range fs {
		s.fields[f.name] = f.shape
		if f.required {
			s.required = append(s.required, f.name)
		}
	}
	return s
}

func str() *shape      { return &shape{kind: stringKind} }
func nonEmpty() *shape { return &shape{kind: stringKind, nonEmpty: true} }
func boolean() *shape  { return &shape{kind: boolKind} }
func anyValue() *shape { return &shape{kind: anyKind} }
func strMap() *shape   { return &shape{kind: mapKind, values: str()} }

// nonEmptyMap is an object with at least one key, any values.
func nonEmptyMap() *shape { return &shape{kind: mapKind, values: anyValue(), nonEmpty: true} }
func openObject() *shape  { return &shape{kind: objectKind, open: true} }

func list(items *shape) *shape { return &shape{kind: listKind, items: items} }

func nonEmptyList(items *shape) *shape {
	return &shape{kind: listKind, items: items, nonEmpty: true}
}

func integer(min, max int64) *shape { return &shape{kind: intKind, min: &min, max: &max} }

func enum(values ...string) *shape { return &shape{kind: stringKind, enum: values} }

func matching(re, hint string) *shape {
	return &shape{kind: stringKind, nonEmpty: true, pattern: regexp.MustCompile(re), hint: hint}
}

func refuse(s *shape, msg string) *shape {
	c := *s
	c.notYet = msg
	return &c
}

// oneOf requires exactly one of keys; atMostOne allows none.
func (s *shape) oneOf(keys ...string) *shape {
	s.rules = append(s.rules, exclusive{keys: keys, exactlyOne: true})
	return s
}

func (s *shape) atMostOne(keys ...string) *shape {
	s.rules = append(s.rules, exclusive{keys: keys})
	return s
}

// checkStepConfig checks a supported step's config against its shape.
func checkStepConfig(r *report, src source, field, uses string, raw json.RawMessage) {
	s, ok := stepShapes[uses]
	if !ok {
		return
	}
	var v any
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return // not JSON: the decoder has reported it
		}
	}
	if v == nil {
		v = map[string]any{}
	}
	if _, ok := v.(map[string]any); !ok {
		return // reported by checkConfigTemplates
	}
	checkShape(r, src, field, v, s)
}

func checkShape(r *report, src source, path string, v any, s *shape) {
	if v == nil {
		return // null is unset
	}
	if str, ok := v.(string); ok && strings.Contains(str, "${{") {
		return // an expression: its value is known only when it runs
	}
	switch s.kind {
	case anyKind:
	case stringKind:
		checkString(r, src, path, v, s)
	case boolKind:
		if _, ok := v.(bool); !ok {
			r.add(src, path, "must be a boolean, not %s", describe(v))
		}
	case intKind:
		checkInt(r, src, path, v, s)
	case objectKind:
		checkObject(r, src, path, v, s)
	case mapKind:
		m, ok := v.(map[string]any)
		if !ok {
			r.add(src, path, "must be an object, not %s", describe(v))
			return
		}
		if s.nonEmpty && len(m) == 0 {
			r.add(src, path, "must have at least one key")
		}
		for _, k := range sortedKeys(m) {
			checkShape(r, src, join(path, k), m[k], s.values)
		}
	case listKind:
		l, ok := v.([]any)
		if !ok {
			r.add(src, path, "must be a list, not %s", describe(v))
			return
		}
		if s.nonEmpty && len(l) == 0 {
			r.add(src, path, "must have at least one item")
		}
		for i, item := range l {
			checkShape(r, src, fmt.Sprintf("%s[%d]", path, i), item, s.items)
		}
	}
}

func checkString(r *report, src source, path string, v any, s *shape) {
	str, ok := v.(string)
	switch {
	case !ok:
		r.add(src, path, "must be a string, not %s", describe(v))
	case s.nonEmpty && str == "":
		r.add(src, path, "must not be empty")
	case len(s.enum) > 0 && !contains(s.enum, str):
		r.add(src, path, "%q is not one of %s", str, strings.Join(s.enum, ", "))
	case s.pattern != nil && str != "" && !s.pattern.MatchString(str):
		r.add(src, path, "%q is not %s", str, s.hint)
	}
}

func checkInt(r *report, src source, path string, v any, s *shape) {
	n, ok := v.(json.Number)
	i, err := strconv.ParseInt(string(n), 10, 64)
	switch {
	case !ok || err != nil:
		r.add(src, path, "must be an integer, not %s", describe(v))
	case s.min != nil && i < *s.min:
		r.add(src, path, "must be at least %d", *s.min)
	case s.max != nil && i > *s.max:
		r.add(src, path, "must be at most %d", *s.max)
	}
}

func checkObject(r *report, src source, path string, v any, s *shape) {
	obj, ok := v.(map[string]any)
	if !ok {
		r.add(src, path, "must be an object, not %s", describe(v))
		return
	}
	for _, k := range sortedKeys(obj) {
		f, ok := s.fields[k]
		switch {
		case !ok && s.open:
		case !ok:
			r.add(src, join(path, k), "unknown field")
		case f.notYet != "" && !isUnset(obj[k]):
			r.add(src, join(path, k), "%s", f.notYet)
		default:
			checkShape(r, src, join(path, k), obj[k], f)
		}
	}
	for _, k := range s.required {
		if obj[k] == nil {
			r.add(src, join(path, k), "is required")
		}
	}
	for _, rule := range s.rules {
		var set []string
		for _, k := range rule.keys {
			if !isUnset(obj[k]) {
				set = append(set, k)
			}
		}
		switch {
		case len(set) > 1:
			r.add(src, path, "set only one of %s", strings.Join(rule.keys, ", "))
		case len(set) == 0 && rule.exactlyOne:
			r.add(src, path, "one of %s is required", strings.Join(rule.keys, ", "))
		}
	}
}

// isUnset reports whether a value asks for nothing: absent, null, "" or
// false (as Kargo's schemas treat them when keys exclude each other).
func isUnset(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	}
	return false
}
