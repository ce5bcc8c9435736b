//go:build linux || darwin

package natsembed

import "syscall"

// freeBytes returns the bytes of dir's file system that an unprivileged
// process may still use, as nats-server measures them to size JetStream's
// storage limit; ok is false when the file system cannot tell.
func freeBytes(dir string) (free int64, ok bool) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return 0, false
	}
	return int64(uint64(fs.Bavail) * uint64(fs.Bsize)), true
}
