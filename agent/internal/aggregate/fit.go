package aggregate

import (
	"strings"
	"unicode/utf8"

	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// Limits the collector enforces on one sighting; a batch over them is
// refused whole. A field longer than maxField (a deep executable path, a
// long command-line attribute) is cut here instead, and the sighting says
// which fields were cut, so the observation still counts. Invalid UTF-8
// (raw bytes from the wire, such as an ALPN id, or from the file system)
// is repaired here too: protobuf refuses to encode it, and one such
// sighting would make its whole batch and checkpoint unspoolable.
const (
	maxField   = 1024
	maxAttrs   = 16
	maxAttrKey = 64
)

// fit makes s acceptable to the collector.
func fit(s *pb.Sighting) {
	var cut []string
	field := func(name string, v *string) {
		*v = validUTF8(*v)
		if len(*v) > maxField {
			*v = truncate(*v, maxField)
			cut = append(cut, name)
		}
	}
	field("domain", &s.Domain)
	field("user", &s.User)
	if p := s.Process; p != nil {
		field("exe", &p.Exe)
		field("process", &p.Name)
	}
	for k, v := range s.Attrs {
		switch {
		case len(k) > maxAttrKey:
			delete(s.Attrs, k)
			cut = append(cut, "attr")
		case len(v) > maxField:
			s.Attrs[k] = truncate(validUTF8(v), maxField)
			cut = append(cut, k)
		case !utf8.ValidString(v):
			s.Attrs[k] = validUTF8(v)
		}
	}
	for len(s.Attrs) > maxAttrs-1 { // room for "truncated"
		for k := range s.Attrs {
			delete(s.Attrs, k)
			cut = append(cut, "attrs")
			break
		}
	}
	if len(cut) > 0 {
		if s.Attrs == nil {
			s.Attrs = map[string]string{}
		}
		s.Attrs["truncated"] = truncate(strings.Join(cut, ","), maxField)
	}
}

// validUTF8 replaces each invalid byte sequence of s by U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// truncate cuts s to at most n bytes on a UTF-8 boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
