package inventory

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shadowai/shadowai/collector/internal/store"
)

// ParseSince reads the start of a window: a date (2026-11-23), an RFC 3339
// time (rounded down to its UTC day), or a number of days ("7d": today and
// the six days before). Empty means no start.
func ParseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if n, ok := days(s); ok {
		return store.DayOf(now).Time().AddDate(0, 0, 1-n), nil
	}
	t, err := parseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q: %w", s, err)
	}
	return store.DayOf(t).Time(), nil
}

// ParseUntil reads the end of a window, exclusive: a date (the window
// stops at its start), an RFC 3339 time (rounded up to the next UTC day),
// or "Nd" (the window ends N days before tomorrow). Empty means no end.
func ParseUntil(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if n, ok := days(s); ok {
		return store.DayOf(now).Time().AddDate(0, 0, 1-n), nil
	}
	t, err := parseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--until %q: %w", s, err)
	}
	return ceilDay(t), nil
}

func ceilDay(t time.Time) time.Time {
	d := store.DayOf(t).Time()
	if d.Equal(t) {
		return d
	}
	return d.AddDate(0, 0, 1)
}

func days(s string) (int, bool) {
	num, ok := strings.CutSuffix(s, "d")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil && n > 0 && n <= 100000
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("not a date: use YYYY-MM-DD, an RFC 3339 time, or a number of days like 7d")
}
