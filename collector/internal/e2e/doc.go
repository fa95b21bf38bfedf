// Package e2e holds end-to-end tests that build and start the real
// shadowai-collector and shadowai-agent binaries in temporary directories.
package e2e
