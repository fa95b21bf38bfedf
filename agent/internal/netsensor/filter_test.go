package netsensor

import (
	"encoding/binary"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"

	"github.com/shadowai/shadowai/agent/internal/capture"
	"github.com/shadowai/shadowai/agent/internal/observe"
)

// filterLoses lists the captures where the live kernel filter is known
// to lose an observation, and why.
var filterLoses = map[string]string{
	"tls_invalid_reads.pcap": "the hello travels in a GTP-U tunnel (UDP 2152), which only a mobile core " +
		"carries, never an endpoint's interface: the filter does not look inside tunnels",
}

// TestKernelFilter runs the live capture's kernel filter (in x/net/bpf's
// virtual machine) over every test capture and expects the sensor to see
// the same as without it, while most bulk packets are dropped.
func TestKernelFilter(t *testing.T) {
	insns, ok := bpf.Disassemble(capture.FilterProgram())
	if !ok {
		t.Fatal("the filter program has instructions x/net/bpf cannot run")
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		t.Fatal(err)
	}
	captures, _ := filepath.Glob("testdata/*.pcap")
	more, _ := filepath.Glob(conformanceDir + "/*.pcap*")
	for _, c := range append(captures, more...) {
		if filepath.Ext(c) != ".pcap" && filepath.Ext(c) != ".pcapng" {
			continue
		}
		t.Run(filepath.Base(c), func(t *testing.T) {
			all, kept := filteredScan(t, c, vm)
			if reason := filterLoses[filepath.Base(c)]; reason != "" {
				t.Skip(reason)
			}
			if diff := cmp.Diff(all, kept); diff != "" {
				t.Errorf("the filter loses observations (-unfiltered +filtered):\n%s", diff)
			}
		})
	}
}

// filteredScan reads a capture twice, once with every IP packet and once
// with those the filter passes, as raw IP as the live socket delivers them.
func filteredScan(t *testing.T, path string, vm *bpf.VM) (all, kept []string) {
	f, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := func(out *[]string) func(*observe.Observation) {
		return func(o *observe.Observation) { *out = append(*out, string(o.Source)+" "+o.Domain) }
	}
	sAll, sKept := New(catalog(t), rec(&all)), New(catalog(t), rec(&kept))
	for {
		p, err := f.Next()
		if err != nil {
			break
		}
		ip, ok := rawIP(p)
		if !ok {
			continue
		}
		p = capture.Packet{Data: ip, Time: p.Time, LinkType: layers.LinkTypeRaw}
		sAll.Packet(p)
		if n, err := vm.Run(ip); err == nil && n > 0 {
			sKept.Packet(p)
		}
	}
	sAll.Finish()
	sKept.Finish()
	return all, kept
}

// rawIP strips the link header of the common link types.
func rawIP(p capture.Packet) ([]byte, bool) {
	switch p.LinkType {
	case layers.LinkTypeRaw:
		return p.Data, true
	case layers.LinkTypeEthernet:
		b := p.Data
		if len(b) < 14 {
			return nil, false
		}
		et, b := binary.BigEndian.Uint16(b[12:]), b[14:]
		for (et == 0x8100 || et == 0x88a8) && len(b) >= 4 {
			et, b = binary.BigEndian.Uint16(b[2:]), b[4:]
		}
		return b, et == 0x0800 || et == 0x86dd
	case layers.LinkTypeLinuxSLL:
		return p.Data[min(16, len(p.Data)):], len(p.Data) > 16
	}
	return nil, false
}
