package procscan

import "testing"

func TestAppFacts(t *testing.T) {
	for _, tc := range []struct{ exe, bundle, appx string }{
		{"/Applications/Cursor.app/Contents/MacOS/Cursor", "/Applications/Cursor.app", ""},
		{"/Applications/Cursor.app/Contents/Frameworks/Cursor Helper (Renderer).app/Contents/MacOS/Cursor Helper (Renderer)", "/Applications/Cursor.app", ""},
		{`C:\Program Files\WindowsApps\Claude_0.9.3.0_x64__pzs8sxrjxfjjc\app\claude.exe`, "", "Claude_pzs8sxrjxfjjc"},
		{`C:\Program Files\WindowsApps\broken\x.exe`, "", ""},
		{"/usr/bin/node", "", ""},
	} {
		if b, a := AppBundle(tc.exe), AppXFamily(tc.exe); b != tc.bundle || a != tc.appx {
			t.Errorf("%s: bundle %q appx %q, want %q %q", tc.exe, b, a, tc.bundle, tc.appx)
		}
	}
}
