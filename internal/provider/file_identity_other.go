//go:build !unix

package provider

// fileIdentity is only known on Unix systems (an inode and a status-change time); elsewhere it is
// "", and every check of a source archive reads it.
func fileIdentity(string) string { return "" }
