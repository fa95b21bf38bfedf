package signatures

import (
	"embed"
	"sync"
)

// declaredVersion is bumped whenever the vendor files change in a way an
// admin should notice; the content hash is appended either way.
const declaredVersion = "2026.11.25"

//go:embed vendors/*.yaml
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
		embeddedCat, embeddedErr = Load(embedded, declaredVersion)
	})
	return embeddedCat, embeddedErr
}
