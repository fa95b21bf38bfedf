package spool

import (
	"fmt"
	"os"
	"path/filepath"
)

// Inspect reports a spool's state without changing anything in it, so it
// is safe while an agent is running on the same directory.
func Inspect(dir string, maxBytes int64) (Stats, error) {
	st := Stats{MaxBytes: maxBytes}
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("reading spool %s: %w", dir, err)
	}
	for _, e := range entries {
		if _, ok := parseName(e.Name(), batchExt); !ok {
			continue
		}
		m, err := readHeaderFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		st.Batches++
		st.Bytes += m.size
		st.Sightings += m.sightings
		st.Observations += m.observations
	}
	d, err := loadDrops(dir)
	if err != nil {
		return st, err
	}
	st.DroppedSightings, st.PendingDropped = d.Total, d.Pending
	return st, nil
}
