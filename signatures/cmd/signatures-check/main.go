// Command signatures-check is the catalog's governance check, run by
// `make signatures-check` (and so by `make test`): it validates a catalog
// tree and prints the service count per category, or every problem and
// exits 1.
package main

import (
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/shadowai/shadowai/signatures"
)

func main() {
	dir := "signatures"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	cat, problems := signatures.Check(os.DirFS(dir))
	for _, p := range problems {
		fmt.Fprintf(os.Stderr, "signatures-check: %s: %s\n", dir, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "signatures-check: %d problems\n", len(problems))
		os.Exit(1)
	}
	perCategory := map[string]int{}
	for _, s := range cat.Services() {
		perCategory[s.Category]++
	}
	fmt.Printf("signature catalog %s: %d services, all checks passed\n", cat.Version(), len(cat.Services()))
	for _, c := range slices.Sorted(maps.Keys(perCategory)) {
		fmt.Printf("  %-20s %3d  %s\n", c, perCategory[c], signatures.CategoryLabel(c))
	}
}
