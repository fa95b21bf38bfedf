// Package signatures is the catalog of AI services and tools that shadowai
// recognises, and the matchers that recognise them.
//
// The catalog is data: VERSION and one YAML file per vendor under
// vendors/ (schema.json), embedded in the binaries and, once a collector
// publishes one, replaced by a signed bundle (bundle.go). A Catalog is
// compiled once; MatchDomain, MatchProcess and MatchExtension are then
// safe for concurrent use, and MatchDomain does not allocate. Live holds
// the catalog in force and swaps it atomically. Check is the governance
// check behind make signatures-check; Score computes a service's risk
// from its documented attributes.
package signatures
