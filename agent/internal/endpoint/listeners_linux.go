package endpoint

import "github.com/shadowai/shadowai/agent/internal/sockets"

// listeners lists the listening TCP sockets with their owners: on this
// host through a sock_diag dump of the LISTEN state (a busy host's
// /proc/net/tcp has thousands of lines), in a fake or mounted host from
// its /proc tables.
func (s *Sensors) listeners() ([]sockets.Socket, sockets.Stats, error) {
	if s.opts.Root != "" {
		return s.tableListeners()
	}
	socks, err := sockets.Listening()
	if err != nil {
		return s.tableListeners()
	}
	r, err := s.reader()
	if err != nil {
		return nil, sockets.Stats{}, err
	}
	return socks, r.Owners(socks), nil
}
