// Package freeport picks ports for the servers Railyard and its tests start
// on loopback. A port is picked, checked and released, and its server binds
// it a moment later; in that moment any outgoing connection on the machine
// may take a port from the kernel's ephemeral range as its local port. So
// ports come from below that range, where only listeners go, and below
// 32768, which the Temporal server's membership table can store.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

const (
	lowest  = 10000
	highest = 32767
)

// On returns a port on ip that nothing held a moment ago. Only when none
// below the ephemeral range is found does it take one from the kernel.
func On(ip string) (int, error) {
	top := min(ephemeralLow()-1, highest)
	for range 64 {
		port := lowest + rand.IntN(top-lowest+1)
		if l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port))); err == nil {
			return port, l.Close()
		}
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("finding a free port on %s: %w", ip, err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// ephemeralLow is the lowest port of the kernel's ephemeral range, or
// Linux's default when it cannot be read or leaves too little room below.
func ephemeralLow() int {
	const linuxDefault = 32768
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return linuxDefault
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return linuxDefault
	}
	if n, err := strconv.Atoi(f[0]); err == nil && n > lowest+1000 {
		return n
	}
	return linuxDefault
}
