package signatures

import (
	"fmt"
	"slices"
)

// Values of Attributes.TrainsOnUserData.
const (
	TrainsByDefault = "by_default" // trains on user content unless the user opts out
	TrainsOptIn     = "opt_in"     // only when the user opts in
	TrainsNever     = "no"         // documented not to train on user content
	TrainsUnknown   = "unknown"    // not documented (the default when omitted)
)

// Attributes are the documented facts a risk score is computed from. A
// nil pointer or empty value means "not documented", which scores between
// the good and the bad answer: an unknown is a risk, but not a proven one.
type Attributes struct {
	// TrainsOnUserData: by_default, opt_in, no or unknown.
	TrainsOnUserData string `yaml:"trains_on_user_data"`
	// EnterpriseControls: an enterprise tier gives an organisation
	// administrative control over the data (SSO, retention, no training).
	EnterpriseControls *bool `yaml:"enterprise_controls"`
	// Jurisdiction is the ISO 3166-1 alpha-2 code of the country whose law
	// governs the operator ("US", "FR", "CN"), or "EU".
	Jurisdiction string `yaml:"jurisdiction"`
	// Attestations are independent audits: soc2, iso27001, iso27701,
	// iso42001, hipaa, fedramp, pci_dss, csa_star, c5.
	Attestations []string `yaml:"attestations"`
	// AccountFree: usable without an account, so outside any SSO.
	AccountFree *bool `yaml:"account_free"`
	// Local: prompts and data stay on the device (local runtimes).
	Local bool `yaml:"local"`
}

var knownAttestations = []string{"soc2", "iso27001", "iso27701", "iso42001", "hipaa", "fedramp", "pci_dss", "csa_star", "c5"}

// stateAccessJurisdictions have laws that compel operators to hand data to
// the state without independent oversight (China's National Intelligence
// Law art. 7, Russia's Federal Law 374-FZ, ...).
var stateAccessJurisdictions = map[string]bool{"CN": true, "RU": true, "IR": true, "KP": true, "BY": true}

// adequateJurisdictions are the EU/EEA and the countries with an EU
// adequacy decision (European Commission, "Adequacy decisions").
var adequateJurisdictions = map[string]bool{
	"EU": true, "AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true,
	"EE": true, "FI": true, "FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true,
	"LV": true, "LT": true, "LU": true, "MT": true, "NL": true, "PL": true, "PT": true, "RO": true,
	"SK": true, "SI": true, "ES": true, "SE": true, "IS": true, "LI": true, "NO": true,
	"AD": true, "AR": true, "CA": true, "FO": true, "GG": true, "IL": true, "IM": true, "JP": true,
	"JE": true, "NZ": true, "KR": true, "CH": true, "GB": true, "UY": true,
}

// Score is the 0-100 risk of a service, the sum of five terms (the
// README's "Risk score" section explains each):
//
//	training      by_default 30, unknown 20, opt_in 5, no 0
//	enterprise    none 15, unknown 10, offered 0
//	jurisdiction  state-access law 30, unknown or other 10, US 5, EU/adequate 0
//	attestations  none documented 10, SOC 2 or ISO 27001 0
//	account-free  yes 10, unknown 5, no 0
//
// For local runtimes (Local) the first three terms are 0: no operator
// receives the data. The floor for them is 10, for unmanaged software
// that pulls models from the internet.
func Score(a Attributes) int {
	if a.Local {
		return 10 + tri(a.AccountFree, 10, 5, 0)
	}
	score := trainingTerm(a.TrainsOnUserData) + tri(a.EnterpriseControls, 0, 10, 15) + jurisdictionTerm(a.Jurisdiction)
	if !slices.Contains(a.Attestations, "soc2") && !slices.Contains(a.Attestations, "iso27001") {
		score += 10
	}
	return min(100, score+tri(a.AccountFree, 10, 5, 0))
}

func trainingTerm(v string) int {
	switch v {
	case TrainsByDefault:
		return 30
	case TrainsOptIn:
		return 5
	case TrainsNever:
		return 0
	}
	return 20
}

func jurisdictionTerm(j string) int {
	switch {
	case stateAccessJurisdictions[j]:
		return 30
	case adequateJurisdictions[j]:
		return 0
	case j == "US":
		return 5
	}
	return 10
}

// tri picks the value for true, unknown (nil) and false.
func tri(b *bool, yes, unknown, no int) int {
	switch {
	case b == nil:
		return unknown
	case *b:
		return yes
	}
	return no
}

func (a Attributes) validate() error {
	switch a.TrainsOnUserData {
	case "", TrainsByDefault, TrainsOptIn, TrainsNever, TrainsUnknown:
	default:
		return fmt.Errorf("trains_on_user_data %q: want by_default, opt_in, no or unknown", a.TrainsOnUserData)
	}
	if j := a.Jurisdiction; j != "" && (len(j) != 2 || j[0] < 'A' || j[0] > 'Z' || j[1] < 'A' || j[1] > 'Z') {
		return fmt.Errorf("jurisdiction %q: want an ISO 3166-1 alpha-2 country code such as US or FR, or EU", j)
	}
	for _, at := range a.Attestations {
		if !slices.Contains(knownAttestations, at) {
			return fmt.Errorf("attestation %q: known ones are %v", at, knownAttestations)
		}
	}
	return nil
}
