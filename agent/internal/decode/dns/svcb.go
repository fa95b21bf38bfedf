package dns

import "encoding/binary"

// TypeHTTPS is the HTTPS resource record (RFC 9460), where a service
// publishes its Encrypted Client Hello configuration.
const TypeHTTPS = 65

// svcParamECH is the SvcParamKey of the ECHConfigList.
const svcParamECH = 5

// ECHPublicNames calls fn with the public name of every ECH
// configuration in the rdata of an HTTPS record: the name an ECH client
// puts in its outer ClientHello. rdata is the record's data; msg is the
// whole message (the target name may be compressed, though RFC 9460
// forbids it).
func ECHPublicNames(rdata []byte, fn func(name []byte)) {
	r := rdata
	if len(r) < 2 {
		return
	}
	r = r[2:] // SvcPriority
	end, err := SkipName(r, 0)
	if err != nil {
		return
	}
	r = r[end:]
	for len(r) >= 4 {
		key, n := binary.BigEndian.Uint16(r), int(binary.BigEndian.Uint16(r[2:]))
		if len(r) < 4+n {
			return
		}
		if key == svcParamECH {
			echConfigList(r[4:4+n], fn)
		}
		r = r[4+n:]
	}
}

// echConfigList walks an ECHConfigList (draft-ietf-tls-esni section 4).
func echConfigList(b []byte, fn func([]byte)) {
	if len(b) < 2 {
		return
	}
	list := b[2:min(len(b), 2+int(binary.BigEndian.Uint16(b)))]
	for len(list) >= 4 {
		version, n := binary.BigEndian.Uint16(list), int(binary.BigEndian.Uint16(list[2:]))
		if len(list) < 4+n {
			return
		}
		if version == 0xfe0d {
			if name := publicName(list[4 : 4+n]); name != nil {
				fn(name)
			}
		}
		list = list[4+n:]
	}
}

// publicName reads HpkeKeyConfig (config_id, kem_id, public_key,
// cipher_suites), maximum_name_length and public_name.
func publicName(c []byte) []byte {
	if len(c) < 5 {
		return nil
	}
	c = c[3:]
	for range 2 { // public_key<1..2^16-1>, cipher_suites<4..2^16-4>
		if len(c) < 2 || len(c) < 2+int(binary.BigEndian.Uint16(c)) {
			return nil
		}
		c = c[2+int(binary.BigEndian.Uint16(c)):]
	}
	if len(c) < 2 || len(c) < 2+int(c[1]) {
		return nil
	}
	return c[2 : 2+int(c[1])]
}
