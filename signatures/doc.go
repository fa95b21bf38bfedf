// Package signatures is the catalog of AI services and tools that shadowai
// recognises, and the matchers that recognise them.
//
// The catalog is data: one YAML file per vendor under vendors/, embedded in
// the agent. A Catalog is compiled once; MatchDomain and MatchProcess are
// then safe for concurrent use and do not allocate.
package signatures
