package procscan

import "strings"

// AppBundle returns the macOS application bundle an executable belongs to
// ("/Applications/Cursor.app" for ".../Cursor.app/Contents/MacOS/Cursor"
// and for its helpers nested inside), or "". The outermost bundle is the
// app: Electron helpers are bundles inside Contents/Frameworks.
func AppBundle(exe string) string {
	i := strings.Index(exe, ".app/")
	if i < 0 {
		return ""
	}
	return exe[:i+len(".app")]
}

// AppXFamily returns the Windows package family name ("Name_PublisherId")
// of an executable installed from a package under WindowsApps, whose
// folder is the package full name Name_Version_Arch_ResourceId_PublisherId,
// or "".
func AppXFamily(exe string) string {
	p := strings.ReplaceAll(exe, `\`, "/")
	i := strings.Index(strings.ToLower(p), "/windowsapps/")
	if i < 0 {
		return ""
	}
	full, _, _ := strings.Cut(p[i+len("/windowsapps/"):], "/")
	f := strings.Split(full, "_")
	if len(f) != 5 || f[0] == "" || f[4] == "" {
		return ""
	}
	return f[0] + "_" + f[4]
}
