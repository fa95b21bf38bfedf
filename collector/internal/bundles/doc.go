// Package bundles publishes signature bundles and serves them to agents.
//
// The collector signs bundles with an ed25519 key it creates in its data
// directory on first use (signing.key, mode 0600). Agents learn the public
// half when they enroll: it travels in EnrollResponse.catalog_signing_key
// over the TLS channel the agent pinned to the CA fingerprint in its
// one-time token, so it is as trustworthy as the collector's CA. Agents
// then accept only bundles that verify with that key; the public key a
// bundle carries on the wire is informational and never trusted.
package bundles
