package freeport

import (
	"net"
	"strconv"
	"testing"
)

func TestOn(t *testing.T) {
	low := ephemeralLow()
	seen := map[int]bool{}
	for range 50 {
		port, err := On("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if port < lowest || port >= low || port > highest {
			t.Fatalf("port %d outside [%d, %d)", port, lowest, min(low, highest+1))
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			t.Fatalf("port %d is not free: %v", port, err)
		}
		l.Close()
		seen[port] = true
	}
	if len(seen) < 40 {
		t.Errorf("50 picks gave %d distinct ports", len(seen))
	}
}
