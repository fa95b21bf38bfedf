package users

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHomesFakeHost(t *testing.T) {
	db := Open("../../testdata/host")
	homes, err := db.Homes()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range homes {
		got = append(got, h.Name+" "+h.Home)
	}
	want := []string{"alice /home/alice", "bob /home/bob", "jan /home/jan", "ldapuser /home/ldapuser", "ollama /usr/share/ollama"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("homes (-want +got):\n%s", diff)
	}
	for uid, want := range map[string]string{"1000": "alice", "998": "ollama", "4242": "4242", "": ""} {
		if got := db.Name(uid); got != want {
			t.Errorf("Name(%q) = %q, want %q", uid, got, want)
		}
	}
}

func TestParsePasswd(t *testing.T) {
	m := ParsePasswd([]byte("root:x:0:0:root:/root:/bin/bash\n+nis\nshort:x:1\nbad:x:notanumber:0::/:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n#c\n"))
	if len(m) != 1 || m["0"].Name != "root" {
		t.Errorf("got %+v", m)
	}
}

func FuzzParsePasswd(f *testing.F) {
	f.Add([]byte("root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n"))
	f.Add([]byte("::::::\n:x:1:1::/:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for uid, u := range ParsePasswd(b) {
			if u.UID != uid || u.Name == "" {
				t.Errorf("bad entry %q: %+v", uid, u)
			}
		}
	})
}
