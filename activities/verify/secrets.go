package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/railyard/railyard"
)

// Secret references travel in a planned metric as placeholders, never as
// values: "{{secretKeyRef:<project>/<name>/<key>}}". The Measurer replaces
// them on the worker just before measuring and masks the values in what it
// returns.

const secretTag = "secretKeyRef:"

// SecretPlaceholder is the placeholder of one key of a project's secret.
func SecretPlaceholder(project, name, key string) string {
	return "{{" + secretTag + project + "/" + name + "/" + key + "}}"
}

// resolveSecrets replaces the secret placeholders of metric and returns the
// values it used, for masking.
func (m *Measurer) resolveSecrets(ctx context.Context, metric railyard.Metric) (railyard.Metric, []string, error) {
	raw, err := json.Marshal(metric)
	if err != nil {
		return metric, nil, err
	}
	text := string(raw)
	if !strings.Contains(text, "{{"+secretTag) {
		return metric, nil, nil
	}
	var values []string
	var b strings.Builder
	for {
		i := strings.Index(text, "{{"+secretTag)
		if i < 0 {
			break
		}
		j := strings.Index(text[i:], "}}")
		if j < 0 {
			break
		}
		ref := text[i+2+len(secretTag) : i+j]
		v, err := m.secretValue(ctx, ref)
		if err != nil {
			return metric, nil, err
		}
		values = append(values, v)
		b.WriteString(text[:i])
		b.WriteString(jsonEscape(v))
		text = text[i+j+2:]
	}
	b.WriteString(text)
	var out railyard.Metric
	if err := json.Unmarshal([]byte(b.String()), &out); err != nil {
		return metric, nil, fmt.Errorf("metric %q after resolving secrets: %w", metric.Name, err)
	}
	return out, values, nil
}

func (m *Measurer) secretValue(ctx context.Context, ref string) (string, error) {
	parts := strings.SplitN(ref, "/", 3)
	if len(parts) != 3 {
		return "", fmt.Errorf("bad secret reference %q", ref)
	}
	project, name, key := parts[0], parts[1], parts[2]
	if m.Secrets == nil {
		return "", fmt.Errorf("secret %q of project %s: no secrets are configured on this worker (--credentials)", name, project)
	}
	data, err := m.Secrets.Secret(ctx, project, name)
	if err != nil {
		return "", fmt.Errorf("valueFrom.secretKeyRef: %w", err)
	}
	v, ok := data[key]
	if !ok {
		return "", fmt.Errorf("secret %q of project %s has no key %q", name, project, key)
	}
	return v, nil
}

// mask hides secret values in a measurement's text.
func mask(out Measurement, secrets []string) Measurement {
	for _, s := range secrets {
		if s == "" {
			continue
		}
		out.Message = strings.ReplaceAll(out.Message, s, "***")
		out.Value = strings.ReplaceAll(out.Value, s, "***")
	}
	return out
}
