package config

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	railyard "github.com/railyard/railyard"
)

// The decoder works on the generic tree that encoding/json produces with
// UseNumber: map[string]any, []any, string, json.Number, bool and nil.

var (
	rawMessageType  = reflect.TypeOf(json.RawMessage(nil))
	timeType        = reflect.TypeOf(time.Time{})
	intOrStringType = reflect.TypeOf(railyard.IntOrString(""))
	unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
)

// fieldError is a problem found while walking the tree.
type fieldError struct {
	path string
	msg  string
}

// checkTree walks tree against t and returns every unknown field and every
// value of the wrong type, in a stable order (object keys sorted), and a copy
// of tree without them, which decodes into t without error.
func checkTree(tree any, t reflect.Type, path string) ([]fieldError, any) {
	var errs []fieldError
	clean, _ := walkValue(tree, t, path, &errs)
	return errs, clean
}

// walkValue checks v against t; it returns v without its bad parts, and
// false when v as a whole is unusable.
func walkValue(v any, t reflect.Type, path string, errs *[]fieldError) (any, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return nil, true // null is "unset", as Kubernetes treats it
	}
	bad := func(msg string) (any, bool) {
		*errs = append(*errs, fieldError{path, msg})
		return nil, false
	}
	switch {
	case t == rawMessageType || t.Kind() == reflect.Interface:
		return v, true
	case t == timeType:
		if msg := checkTime(v); msg != "" {
			return bad(msg)
		}
		return v, true
	case t == intOrStringType:
		if _, ok := v.(string); !ok && !isInteger(v) {
			return bad("must be an integer or a string, not " + describe(v))
		}
		return v, true
	case reflect.PointerTo(t).Implements(unmarshalerType):
		if msg := checkUnmarshal(v, t); msg != "" {
			return bad(msg)
		}
		return v, true
	}
	switch t.Kind() {
	case reflect.Struct:
		return walkStruct(v, t, path, errs)
	case reflect.Map:
		return walkMap(v, t, path, errs)
	case reflect.Slice, reflect.Array:
		return walkSlice(v, t, path, errs)
	}
	if msg := checkScalar(v, t); msg != "" {
		return bad(msg)
	}
	return v, true
}

func walkStruct(v any, t reflect.Type, path string, errs *[]fieldError) (any, bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		*errs = append(*errs, fieldError{path, "must be an object, not " + describe(v)})
		return nil, false
	}
	fields := jsonFields(t)
	out := map[string]any{}
	for _, k := range sortedKeys(obj) {
		f, ok := fields[k]
		if !ok {
			*errs = append(*errs, fieldError{join(path, k), "unknown field"})
			continue
		}
		if val, ok := walkValue(obj[k], f.Type, join(path, k), errs); ok {
			out[k] = val
		}
	}
	return out, true
}

func walkMap(v any, t reflect.Type, path string, errs *[]fieldError) (any, bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		*errs = append(*errs, fieldError{path, "must be an object, not " + describe(v)})
		return nil, false
	}
	out := map[string]any{}
	for _, k := range sortedKeys(obj) {
		if val, ok := walkValue(obj[k], t.Elem(), join(path, k), errs); ok {
			out[k] = val
		}
	}
	return out, true
}

func walkSlice(v any, t reflect.Type, path string, errs *[]fieldError) (any, bool) {
	list, ok := v.([]any)
	if !ok {
		*errs = append(*errs, fieldError{path, "must be a list, not " + describe(v)})
		return nil, false
	}
	out := make([]any, len(list))
	for i, item := range list {
		out[i], _ = walkValue(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
	}
	return out, true
}

// checkScalar returns what is wrong with v as a value of the scalar type t.
func checkScalar(v any, t reflect.Type) string {
	var ok bool
	var want string
	switch t.Kind() {
	case reflect.String:
		_, ok = v.(string)
		want = "a string"
	case reflect.Bool:
		_, ok = v.(bool)
		want = "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		ok = fitsInt(v, t.Bits(), true)
		want = "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		ok = fitsInt(v, t.Bits(), false)
		want = "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		_, ok = v.(json.Number)
		want = "a number"
	default:
		return ""
	}
	if ok {
		return ""
	}
	return fmt.Sprintf("must be %s, not %s", want, describe(v))
}

func checkTime(v any) string {
	s, ok := v.(string)
	if !ok {
		return "must be an RFC 3339 time string, not " + describe(v)
	}
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return fmt.Sprintf("%q is not an RFC 3339 time", s)
	}
	return ""
}

func checkUnmarshal(v any, t reflect.Type) string {
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, reflect.New(t).Interface())
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func isInteger(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	_, err := strconv.ParseInt(string(n), 10, 64)
	return err == nil
}

func fitsInt(v any, bits int, signed bool) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	if signed {
		_, err := strconv.ParseInt(string(n), 10, bits)
		return err == nil
	}
	_, err := strconv.ParseUint(string(n), 10, bits)
	return err == nil
}

// describe names the JSON type of v for messages.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string %q", x)
	case json.Number:
		return "number " + string(x)
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return "null"
}

// jsonFields maps the JSON names of t's fields (embedded structs without a
// tag are inlined) to the fields.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			for k, v := range jsonFields(ft) {
				out[k] = v
			}
			continue
		}
		if !f.IsExported() || name == "-" || f.Tag.Get("manifest") == "-" {
			continue // manifest:"-": set by Railyard, never read from manifests
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// join appends a key to a field path; keys that would make the path
// ambiguous are written in brackets.
func join(path, key string) string {
	if strings.ContainsAny(key, ".[] ") || key == "" {
		return fmt.Sprintf("%s[%q]", path, key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// decodeInto fills out from a tree that checkTree has cleaned.
func decodeInto(tree any, out any) error {
	b, err := json.Marshal(tree)
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}
