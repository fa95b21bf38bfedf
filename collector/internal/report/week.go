package report

import (
	"fmt"
	"time"

	"github.com/shadowai/shadowai/collector/internal/store"
)

// Week is an ISO 8601 week, Monday to Sunday, in UTC days (the grain of
// the rollups).
type Week struct {
	Year, Num int
}

// ParseWeek reads "2026-W48".
func ParseWeek(s string) (Week, error) {
	var w Week
	if _, err := fmt.Sscanf(s, "%4d-W%2d", &w.Year, &w.Num); err != nil || len(s) != 8 {
		return Week{}, fmt.Errorf("--week %q: use an ISO week like 2026-W48", s)
	}
	if w.Year < 2000 || w.Year > 9999 || w.Num < 1 || w.Num > 53 {
		return Week{}, fmt.Errorf("--week %q: no such ISO week", s)
	}
	if y, n := w.Start().ISOWeek(); y != w.Year || n != w.Num {
		return Week{}, fmt.Errorf("--week %q: %d has no week %d", s, w.Year, w.Num)
	}
	return w, nil
}

// WeekOf is the ISO week containing t's UTC day.
func WeekOf(t time.Time) Week {
	y, n := t.UTC().ISOWeek()
	return Week{y, n}
}

// LastFullWeek is the week before the one containing now: what a Monday
// report covers.
func LastFullWeek(now time.Time) Week { return WeekOf(now.UTC().AddDate(0, 0, -7)) }

// Start is Monday 00:00 UTC.
func (w Week) Start() time.Time {
	jan4 := time.Date(w.Year, 1, 4, 0, 0, 0, 0, time.UTC)
	monday1 := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return monday1.AddDate(0, 0, 7*(w.Num-1))
}

// End is the next Monday 00:00 UTC, exclusive.
func (w Week) End() time.Time { return w.Start().AddDate(0, 0, 7) }

// Day is the week's first rollup day.
func (w Week) Day() store.Day { return store.DayOf(w.Start()) }

// Minus is the week n weeks earlier.
func (w Week) Minus(n int) Week { return WeekOf(w.Start().AddDate(0, 0, -7*n)) }

func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// Span is "23–29 Nov 2026".
func (w Week) Span() string {
	a, b := w.Start(), w.End().AddDate(0, 0, -1)
	if a.Month() == b.Month() {
		return fmt.Sprintf("%d–%d %s %d", a.Day(), b.Day(), b.Format("Jan"), b.Year())
	}
	if a.Year() == b.Year() {
		return fmt.Sprintf("%d %s – %d %s %d", a.Day(), a.Format("Jan"), b.Day(), b.Format("Jan"), b.Year())
	}
	return a.Format("2 Jan 2006") + " – " + b.Format("2 Jan 2006")
}
