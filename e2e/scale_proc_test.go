package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// procCPU returns a process's CPU seconds (utime+stime) and those of its
// waited-for children (cutime+cstime).
func procCPU(t testing.TB, pid int) (own, children float64) {
	t.Helper()
	path := fmt.Sprintf("/proc/%d/stat", pid)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading CPU time: %v", err)
	}
	// The command name, in parentheses, may hold spaces: fields start after it.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		t.Fatalf("%s: no command name in %q", path, b)
	}
	f := strings.Fields(string(b)[i+1:])
	// After the name: state(3) … utime(14) stime(15) cutime(16) cstime(17).
	if len(f) < 15 {
		t.Fatalf("%s: %d fields after the command name, want at least 15", path, len(f))
	}
	var ticks [4]float64
	for k := range ticks {
		if ticks[k], err = strconv.ParseFloat(f[11+k], 64); err != nil {
			t.Fatalf("%s field %d: %v", path, 14+k, err)
		}
	}
	return (ticks[0] + ticks[1]) / clockTicks, (ticks[2] + ticks[3]) / clockTicks
}
