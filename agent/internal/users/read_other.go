//go:build !unix

package users

// openNonblock: no FIFOs in the file system here.
const openNonblock = 0
