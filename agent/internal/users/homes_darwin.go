package users

func (d *DB) homes() ([]User, error) {
	return d.dirHomes("/Users", map[string]bool{"shared": true, "guest": true}), nil
}
