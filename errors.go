package railyard

import "errors"

// Sentinel errors: the one vocabulary every package wraps its errors with,
// so that IsTerminal can tell at any activity boundary whether retrying
// can help.
var (
	ErrNotFound        = errors.New("not found")
	ErrInvalid         = errors.New("invalid")
	ErrAmbiguous       = errors.New("ambiguous")
	ErrNotSupported    = errors.New("not supported yet")
	ErrRejected        = errors.New("rejected")
	ErrUnauthenticated = errors.New("authentication rejected")
)

// NewKind returns a package's own sentinel error, with its own message,
// that also matches kind (one of the sentinels above) for errors.Is and so
// for IsTerminal.
func NewKind(msg string, kind error) error { return &kindError{msg: msg, kind: kind} }

type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// TerminalError marks an error that retrying cannot fix, whatever it wraps.
type TerminalError struct{ Err error }

func (e *TerminalError) Error() string { return e.Err.Error() }
func (e *TerminalError) Unwrap() error { return e.Err }

// Terminal marks err as one that retrying cannot fix; nil stays nil.
func Terminal(err error) error {
	if err == nil {
		return nil
	}
	return &TerminalError{Err: err}
}

// IsTerminal reports whether retrying err cannot help: it is marked
// Terminal, or it wraps a sentinel that names a lasting condition (rejected
// credentials, something that does not exist, invalid or ambiguous input,
// an unsupported feature, a refused request). Anything else (unreachable,
// timeouts, 5xx) is worth a retry.
func IsTerminal(err error) bool {
	var t *TerminalError
	return errors.As(err, &t) ||
		errors.Is(err, ErrUnauthenticated) || errors.Is(err, ErrNotFound) ||
		errors.Is(err, ErrInvalid) || errors.Is(err, ErrAmbiguous) ||
		errors.Is(err, ErrNotSupported) || errors.Is(err, ErrRejected)
}
