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
// value of the wrong type, in a stable order (object keys sorted).
func checkTree(tree any, t reflect.Type, path string) []fieldError {
	var errs []fieldError
	walkValue(tree, t, path, &errs)
	return errs
}

func walkValue(v any, t reflect.Type, path string, errs *[]fieldError) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return // null is "unset", as Kubernetes treats it
	}
	switch {
	case t == rawMessageType || t.Kind() == reflect.Interface:
		return
	case t == timeType:
		walkTime(v, path, errs)
		return
	case t == intOrStringType:
		if _, ok := v.(string); !ok && !isInteger(v) {
			*errs = append(*errs, fieldError{path, "must be an integer or a string, not " + describe(v)})
		}
		return
	case reflect.PointerTo(t).Implements(unmarshalerType):
		walkUnmarshaler(v, t, path, errs)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		walkStruct(v, t, path, errs)
	case reflect.Map:
		walkMap(v, t, path, errs)
	case reflect.Slice, reflect.Array:
		walkSlice(v, t, path, errs)
	default:
		walkScalar(v, t, path, errs)
	}
}

func walkStruct(v any, t reflect.Type, path string, errs *[]fieldError) {
	obj, ok := v.(map[string]any)
	if !ok {
		*errs = append(*errs, fieldError{path, "must be an object, not " + describe(v)})
		return
	}
	fields := jsonFields(t)
	for _, k := range sortedKeys(obj) {
		f, ok := fields[k]
		if !ok {
			*errs = append(*errs, fieldError{join(path, k), "unknown field"})
			continue
		}
		walkValue(obj[k], f.Type, join(path, k), errs)
	}
}

func walkMap(v any, t reflect.Type, path string, errs *[]fieldError) {
	obj, ok := v.(map[string]any)
	if !ok {
		*errs = append(*errs, fieldError{path, "must be an object, not " + describe(v)})
		return
	}
	for _, k := range sortedKeys(obj) {
		walkValue(obj[k], t.Elem(), join(path, k), errs)
	}
}

func walkSlice(v any, t reflect.Type, path string, errs *[]fieldError) {
	list, ok := v.([]any)
	if !ok {
		*errs = append(*errs, fieldError{path, "must be a list, not " + describe(v)})
		return
	}
	for i, item := range list {
		walkValue(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
	}
}

func walkScalar(v any, t reflect.Type, path string, errs *[]fieldError) {
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
		ok, want = true, ""
	}
	if !ok {
		*errs = append(*errs, fieldError{path, fmt.Sprintf("must be %s, not %s", want, describe(v))})
	}
}

func walkTime(v any, path string, errs *[]fieldError) {
	s, ok := v.(string)
	if !ok {
		*errs = append(*errs, fieldError{path, "must be an RFC 3339 time string, not " + describe(v)})
		return
	}
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		*errs = append(*errs, fieldError{path, fmt.Sprintf("%q is not an RFC 3339 time", s)})
	}
}

func walkUnmarshaler(v any, t reflect.Type, path string, errs *[]fieldError) {
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, reflect.New(t).Interface())
	}
	if err != nil {
		*errs = append(*errs, fieldError{path, err.Error()})
	}
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
		if !f.IsExported() || name == "-" {
			continue
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

// decodeInto fills out from tree. Values of the wrong type are skipped
// (checkTree has reported them), so decoding continues as far as it can.
func decodeInto(tree any, out any) {
	b, err := json.Marshal(tree)
	if err != nil {
		return
	}
	_ = json.Unmarshal(b, out) // type errors are already reported by checkTree
}
