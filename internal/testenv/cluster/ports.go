package cluster

import (
	"testing"

	"github.com/railyard/railyard/internal/freeport"
)

// lowPorts returns n distinct free ports on 127.0.0.1 (internal/freeport):
// below 32768, which the server's membership table stores in a smallint
// column, and below the kernel's ephemeral range.
func lowPorts(t testing.TB, n int) []int {
	t.Helper()
	seen := map[int]bool{}
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		p, err := freeport.On("127.0.0.1")
		if err != nil || tries > 1000 {
			t.Fatalf("no %d free ports on 127.0.0.1: %v", n, err)
		}
		if !seen[p] {
			seen[p] = true
			ports = append(ports, p)
		}
	}
	return ports
}
