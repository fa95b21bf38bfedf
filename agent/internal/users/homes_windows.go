package users

import (
	"os"
	"path/filepath"
)

func (d *DB) homes() ([]User, error) {
	base := filepath.Join(os.Getenv("SystemDrive")+`\`, "Users")
	if d.root != "/" {
		base = `\Users`
	}
	skip := map[string]bool{"public": true, "default": true, "default user": true, "all users": true, "defaultuser0": true}
	return d.dirHomes(base, skip), nil
}
