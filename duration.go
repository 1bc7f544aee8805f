package railyard

import "time"

// Duration is a Go duration string as written in manifests ("5m", "1h30m").
// It stays a string in manifests and workflow state; config validates it.
type Duration string

// Duration parses d; an empty or invalid value is zero.
func (d Duration) Duration() time.Duration {
	if d == "" {
		return 0
	}
	v, err := time.ParseDuration(string(d))
	if err != nil {
		return 0
	}
	return v
}
