//go:build unix

package provider

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// fileIdentity names the file at p as it is now: its device, inode, size, and modification and
// status-change times. Rewriting the file, renaming another over it or touching it changes the
// identity (the status-change time cannot be set back by a user); "" when p cannot be read.
func fileIdentity(p string) string {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return ""
	}
	return fmt.Sprintf("%s dev=%d ino=%d size=%d mtime=%d.%09d ctime=%d.%09d", p, st.Dev, st.Ino, st.Size,
		st.Mtim.Sec, st.Mtim.Nsec, st.Ctim.Sec, st.Ctim.Nsec)
}
