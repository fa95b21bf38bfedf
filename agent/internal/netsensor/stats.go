package netsensor

import (
	"errors"
	"reflect"

	"github.com/shadowai/shadowai/agent/internal/decode"
)

// Stats counts what the sensor saw, what it could not read and what it
// dropped to stay within its memory bounds. The agent's heartbeat carries
// them as counters under these JSON names.
type Stats struct {
	Packets    uint64 `json:"packets"`
	Bytes      uint64 `json:"bytes"`
	Truncated  uint64 `json:"truncated"`
	NotIP      uint64 `json:"not_ip"`
	LinkErrors uint64 `json:"link_errors"`
	// ParseErrors counts frames whose IP or transport header is damaged.
	ParseErrors uint64 `json:"parse_errors"`
	Fragments   uint64 `json:"fragments"`
	// FragmentsReassembled counts datagrams rebuilt from fragments;
	// FragmentsDropped fragments of datagrams that never completed.
	FragmentsReassembled uint64 `json:"fragments_reassembled"`
	FragmentsDropped     uint64 `json:"fragments_dropped"`

	DNSMessages   uint64 `json:"dns_messages"`
	DNSErrors     uint64 `json:"dns_errors"`
	DNSDuplicates uint64 `json:"dns_duplicates"`
	// DNSResponsesOnly counts lookups named from a response whose query
	// was not captured.
	DNSResponsesOnly uint64 `json:"dns_responses_only"`
	IPNames          uint64 `json:"ip_names"`
	// IPAmbiguous counts the flows among IPNames whose address DNS gave
	// names of different services (or AI and not AI): reported with
	// their candidates and no service.
	IPAmbiguous uint64 `json:"ip_ambiguous"`

	TLSHellos uint64 `json:"tls_hellos"`
	TLSErrors uint64 `json:"tls_errors"`
	// TLSReassembled counts ClientHellos that needed more than one TCP
	// segment; TLSIncomplete those that never completed.
	TLSReassembled uint64 `json:"tls_reassembled"`
	TLSIncomplete  uint64 `json:"tls_incomplete"`
	// TCPOutOfWindow counts segments (or parts) outside the 16 KiB first
	// flight window or scattered into too many pieces.
	TCPOutOfWindow uint64 `json:"tcp_out_of_window"`

	QUICInitials      uint64 `json:"quic_initials"`
	QUICHellos        uint64 `json:"quic_hellos"`
	QUICUndecryptable uint64 `json:"quic_undecryptable"`
	QUICIncomplete    uint64 `json:"quic_incomplete"`
	GQUIC             uint64 `json:"gquic"`
	QUICUnknown       uint64 `json:"quic_unknown_version"`

	// FlowsEvicted counts state pushed out of a full table while still
	// needed: first flights being reassembled, DNS transactions younger
	// than 30 s, IP names. (Finished flows and expired transactions make
	// room silently.) NoBuffer counts first flights not reassembled
	// because every window was in use.
	FlowsEvicted uint64 `json:"flows_evicted"`
	NoBuffer     uint64 `json:"reassembly_no_buffer"`

	Observations uint64 `json:"observations"`
}

// Stats returns the counters so far.
func (s *Sensor) Stats() Stats {
	st := s.stats
	fs := s.frags.Stats()
	st.Fragments, st.FragmentsReassembled, st.FragmentsDropped = fs.Fragments, fs.Reassembled, fs.Dropped
	st.FlowsEvicted += s.names.Evicted
	return st
}

// Counters returns the stats as a name → value map (the JSON names) for
// the heartbeat.
func (st Stats) Counters() map[string]uint64 {
	v := reflect.ValueOf(st)
	c := make(map[string]uint64, v.NumField())
	for i := range v.NumField() {
		c[v.Type().Field(i).Tag.Get("json")] = v.Field(i).Uint()
	}
	return c
}

// Undecodable sums what could not be read: damaged frames, DNS messages,
// ClientHellos and QUIC Initials.
func (st Stats) Undecodable() uint64 {
	return st.ParseErrors + st.DNSErrors + st.TLSErrors + st.QUICUndecryptable
}

func (s *Sensor) countDecodeError(err error) {
	switch {
	case errors.Is(err, decode.ErrNotIP), errors.Is(err, decode.ErrTransport):
		s.stats.NotIP++
	case errors.Is(err, decode.ErrLinkType):
		s.stats.LinkErrors++
	default:
		s.stats.ParseErrors++
	}
}

// add sums two sets of counters field by field.
func (st Stats) add(o Stats) Stats {
	a, b := reflect.ValueOf(&st).Elem(), reflect.ValueOf(o)
	for i := range a.NumField() {
		a.Field(i).SetUint(a.Field(i).Uint() + b.Field(i).Uint())
	}
	return st
}
