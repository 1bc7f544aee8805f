package cluster

import (
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
)

// lowPorts returns n distinct free ports on 127.0.0.1 below 32768: the
// server stores membership ports in a smallint column, so the kernel's
// ephemeral ports (from :0) are out of range.
func lowPorts(t testing.TB, n int) []int {
	t.Helper()
	seen := map[int]bool{}
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries > 10000 {
			t.Fatalf("no %d free ports below 32768 on 127.0.0.1", n)
		}
		p := 20000 + rand.IntN(12000)
		if seen[p] {
			continue
		}
		seen[p] = true
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		l.Close()
		ports = append(ports, p)
	}
	return ports
}
