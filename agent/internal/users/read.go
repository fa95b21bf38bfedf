package users

import (
	"errors"
	"io"
)

// ErrTooLarge is returned for a file over the reader's limit.
var ErrTooLarge = errors.New("file is larger than the limit")

// ReadAll reads r to its end, failing with ErrTooLarge past limit bytes so
// a huge or endless file cannot exhaust memory.
func ReadAll(r io.Reader, limit int64) ([]byte, error) { return readAllLimit(r, limit) }

func readAllLimit(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, ErrTooLarge
	}
	return b, nil
}
