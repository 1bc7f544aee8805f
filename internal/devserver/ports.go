package devserver

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// PortInUseError reports a port that another process already holds. The
// server and the UI would exit the whole process on a bind failure, so Start
// checks their ports first and returns this instead.
type PortInUseError struct {
	Port int
	What string // "Temporal frontend" or "Temporal Web UI"
	Flag string // the railyard-worker flag that moves it
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("port %d is already in use (%s); choose another with %s", e.Port, e.What, e.Flag)
}

// checkPorts verifies that the frontend and (unless headless) UI ports can be bound.
func checkPorts(o Options) error {
	if err := checkPortFree(o.IP, o.Port, "Temporal frontend", "--port"); err != nil {
		return err
	}
	if o.Headless {
		return nil
	}
	return checkPortFree(o.IP, o.UIPort, "Temporal Web UI", "--ui-port")
}

func checkPortFree(ip string, port int, what, flag string) error {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return &PortInUseError{Port: port, What: what, Flag: flag}
		}
		return fmt.Errorf("check port %d (%s): %w", port, what, err)
	}
	return l.Close()
}
