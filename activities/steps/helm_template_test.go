package steps

import "testing"

func TestHelmTemplateGolden(t *testing.T) { renderGolden(t, "helm-template", nil) }
