package users

import (
	"errors"
	"fmt"
	"io"
	"os"
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

// OpenRegular opens a file for reading and refuses anything but a regular
// file. Users control what lies in their home directories: a FIFO where a
// metadata file belongs would block an open or a read for good, a device
// would never end. The open does not block (O_NONBLOCK where the OS has
// FIFOs), and the check is made on the opened file, so a swap after it
// changes nothing.
func OpenRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file (%s)", path, fi.Mode().Type())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
