package railyard

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestIsTerminal(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errors.New("connection refused"), false},
		{"deadline", fmt.Errorf("fetching: %w", context.DeadlineExceeded), false},
		{"marked", Terminal(errors.New("bad config")), true},
		{"marked, wrapped", fmt.Errorf("step: %w", Terminal(errors.New("x"))), true},
		{"not found", fmt.Errorf("repo x: %w", ErrNotFound), true},
		{"credentials", fmt.Errorf("401: %w", ErrUnauthenticated), true},
		{"invalid", fmt.Errorf("path: %w", ErrInvalid), true},
		{"ambiguous", fmt.Errorf("two images: %w", ErrAmbiguous), true},
		{"not supported", fmt.Errorf("sigv4: %w", ErrNotSupported), true},
		{"rejected", fmt.Errorf("push: %w", ErrRejected), true},
		{"own kind", fmt.Errorf("merging: %w", NewKind("merge conflict", ErrRejected)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsTerminal(tt.err); got != tt.want {
				t.Fatalf("IsTerminal(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
	conflict := NewKind("merge conflict", ErrRejected)
	if err := fmt.Errorf("merging: %w", conflict); !errors.Is(err, conflict) || err.Error() != "merging: merge conflict" {
		t.Fatalf("NewKind: %v", err)
	}
	if Terminal(nil) != nil {
		t.Fatal("Terminal(nil) is not nil")
	}
}
