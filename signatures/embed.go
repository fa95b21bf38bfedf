package signatures

import (
	"embed"
	"io/fs"
	"strings"
	"sync"
)

// The catalog compiled into the binaries: VERSION (bumped whenever the
// vendor files change in a way an admin should notice; the content hash
// is appended either way) and the vendor files.
//
//go:embed VERSION vendors/*.yaml
var embedded embed.FS

var (
	embeddedOnce sync.Once
	embeddedCat  *Catalog
	embeddedErr  error
)

// Embedded returns the catalog compiled into this binary. It is compiled on
// first use and shared afterwards.
func Embedded() (*Catalog, error) {
	embeddedOnce.Do(func() {
		v, err := readDeclared(embedded)
		if err != nil {
			embeddedErr = err
			return
		}
		embeddedCat, embeddedErr = Load(embedded, strings.TrimSpace(v))
	})
	return embeddedCat, embeddedErr
}

// EmbeddedFS is the catalog tree compiled into this binary, the same
// layout `shadowai-collector signatures publish` reads.
func EmbeddedFS() fs.FS { return embedded }
