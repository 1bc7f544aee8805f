package railyard

import (
	"testing"
	"time"
)

func TestDiscoveryStatusDue(t *testing.T) {
	tests := []struct {
		name string
		last time.Time
		now  time.Time
		want bool
	}{
		{"never attempted", time.Time{}, t0, true},
		{"within the interval", t0, t0.Add(4 * time.Minute), false},
		{"interval elapsed", t0, t0.Add(5 * time.Minute), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (DiscoveryStatus{LastAttempt: tc.last}).Due(5*time.Minute, tc.now); got != tc.want {
				t.Errorf("Due = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDiscoveryStatusNextWake(t *testing.T) {
	d := DiscoveryStatus{LastAttempt: t0}
	tests := []struct {
		name      string
		soak      time.Duration
		now       time.Time
		wait      time.Duration
		soakFirst bool
	}{
		{"next discovery", 0, t0.Add(time.Minute), 4 * time.Minute, false},
		{"a soak ends sooner", time.Minute, t0.Add(time.Minute), time.Minute, true},
		{"discovery sooner than the soak", 10 * time.Minute, t0.Add(time.Minute), 4 * time.Minute, false},
		{"overdue: the shortest sleep", 0, t0.Add(time.Hour), MinWake, false},
		{"a very short soak", time.Millisecond, t0, MinWake, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wait, soakFirst := d.NextWake(5*time.Minute, tc.soak, tc.now)
			if wait != tc.wait || soakFirst != tc.soakFirst {
				t.Errorf("NextWake = %s, %v; want %s, %v", wait, soakFirst, tc.wait, tc.soakFirst)
			}
		})
	}
}
