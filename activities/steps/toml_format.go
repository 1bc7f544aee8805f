package steps

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// formatTOML renders a value as TOML.
func formatTOML(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return quoteTOML(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case float64:
		switch {
		case math.IsNaN(x):
			return "nan", nil
		case math.IsInf(x, 0):
			return map[bool]string{true: "inf", false: "-inf"}[x > 0], nil
		case x == math.Trunc(x) && math.Abs(x) < 1<<53:
			return strconv.FormatInt(int64(x), 10), nil
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s, nil
	case []any:
		parts := make([]string, len(x))
		for i, item := range x {
			p, err := formatTOML(item)
			if err != nil {
				return "", err
			}
			parts[i] = p
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			p, err := formatTOML(x[k])
			if err != nil {
				return "", err
			}
			parts[i] = formatKey(k) + " = " + p
		}
		return "{ " + strings.Join(parts, ", ") + " }", nil
	case nil:
		return "", errors.New("TOML has no null value")
	}
	return "", fmt.Errorf("cannot write a %T as TOML", v)
}

func formatKey(k string) string {
	if bareKeyRE.MatchString(k) {
		return k
	}
	return quoteTOML(k)
}

// quoteTOML writes a TOML basic string.
func quoteTOML(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func lookupTOML(doc map[string]any, path []string) any {
	var cur any = doc
	for _, k := range path {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[k]
		case []map[string]any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			cur = x[i]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			cur = x[i]
		default:
			return nil
		}
	}
	return cur
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
