package config

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Size is a byte count written as a plain number or with a binary unit:
// 65536, 64KiB, 256MiB, 1GiB.
type Size int64

var units = []struct {
	suffix string
	mult   int64
}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// ParseSize reads a Size.
func ParseSize(s string) (Size, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size: write a number of bytes or use KiB, MiB, GiB", s)
	}
	return Size(n * mult), nil
}

// UnmarshalYAML accepts numbers and strings with units.
func (z *Size) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*z = v
	return nil
}

// MarshalYAML writes the largest unit that divides the size.
func (z Size) MarshalYAML() (any, error) { return z.String(), nil }

func (z Size) String() string {
	for _, u := range units {
		if u.mult > 1 && int64(z) >= u.mult && int64(z)%u.mult == 0 {
			return strconv.FormatInt(int64(z)/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(z), 10)
}
