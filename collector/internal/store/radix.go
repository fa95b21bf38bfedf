package store

// ranked is something sorted by key, smallest first.
type ranked struct {
	key uint64
	at  int32
}

// radixSort sorts xs by key, stably, one byte at a time from the lowest,
// stopping at the highest byte any key uses: a few linear passes instead
// of a comparison sort's n log n calls.
func radixSort(xs []ranked) []ranked {
	var top uint64
	for _, x := range xs {
		top |= x.key
	}
	tmp := make([]ranked, len(xs))
	for shift := uint(0); shift < 64 && top>>shift != 0; shift += 8 {
		var count [257]int
		for _, x := range xs {
			count[int(byte(x.key>>shift))+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, x := range xs {
			b := byte(x.key >> shift)
			tmp[count[b]] = x
			count[b]++
		}
		xs, tmp = tmp, xs
	}
	return xs
}
