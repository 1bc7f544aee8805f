package creds

import (
	"testing"
)

func TestSecret(t *testing.T) {
	t.Setenv("RAILYARD_TEST_TOKEN", "from-env")
	s, err := Parse("creds.yaml", []byte(`
secrets:
- name: slack
  data:
    token: {value: everyone}
- name: slack
  project: demo
  data:
    token: {env: RAILYARD_TEST_TOKEN}
`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		project, name, want string
		wantErr             bool
	}{
		{"demo", "slack", "from-env", false},
		{"other", "slack", "everyone", false},
		{"demo", "missing", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.project+"/"+tc.name, func(t *testing.T) {
			got, err := s.Secret(t.Context(), tc.project, tc.name)
			if (err != nil) != tc.wantErr || got["token"] != tc.want {
				t.Errorf("Secret = %v, %v; want token %q, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
	if _, err := Parse("creds.yaml", []byte("secrets:\n- name: x\n  data:\n    k: {}\n")); err == nil {
		t.Error("a secret value with no source was accepted")
	}
}
