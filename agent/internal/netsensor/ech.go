package netsensor

import (
	"slices"

	"github.com/shadowai/shadowai/agent/internal/flow"
)

// knownECHPublicNames are the outer names of deployed ECH configurations
// (Cloudflare's, and the DEfO project's test servers); others are learned
// from DNS HTTPS records. The known ones are kept apart from the learned
// ones: any host on the network can publish HTTPS records, and they must
// not push these out of the bounded table.
var knownECHPublicNames = []string{"cloudflare-ech.com", "cover.defo.ie", "public.test.defo.ie"}

const maxECHPublicNames = 1024

// echPublicNames is the set of ECH public names learned from DNS.
type echPublicNames = flow.Table[string, struct{}]

func newECHPublicNames() *echPublicNames {
	return flow.NewTable[string, struct{}](maxECHPublicNames)
}

// learnECHPublicName records a public name from an HTTPS record's ECH
// configuration.
func (s *Sensor) learnECHPublicName(name []byte) {
	if s.echPublic.Get(string(name)) == nil {
		s.echPublic.Put(string(name), s.now, nil)
	}
}

// echHidden tells real ECH from GREASE ECH, which carry the same
// extension: with real ECH the outer name is the provider's public name,
// known or published in an HTTPS record. (Comparing with the name DNS
// gave the address does not work: thousands of names share a CDN's
// addresses.) A public name missed because DNS was encrypted is a shared
// front name, which the catalog does not credit either.
func (s *Sensor) echHidden(outer string) bool {
	return slices.Contains(knownECHPublicNames, outer) || s.echPublic.Get(outer) != nil
}
