package railyard

import "errors"

// Sentinel errors shared by the packages; wrap them with context.
var (
	ErrNotFound        = errors.New("not found")
	ErrInvalid         = errors.New("invalid")
	ErrNotAvailable    = errors.New("not available")
	ErrAmbiguous       = errors.New("ambiguous")
	ErrNotSupported    = errors.New("not supported yet")
	ErrAlreadyExists   = errors.New("already exists")
	ErrNothingToDo     = errors.New("nothing to do")
	ErrRejected        = errors.New("rejected")
	ErrUnauthenticated = errors.New("authentication rejected")
)
