//go:build !linux

package endpoint

import "github.com/shadowai/shadowai/agent/internal/sockets"

// listeners lists the listening sockets with their owners from the OS's
// socket table.
func (s *Sensors) listeners() ([]sockets.Socket, sockets.Stats, error) {
	return s.tableListeners()
}
