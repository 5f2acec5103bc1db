//go:build !windows

package main

// runAsService is Windows's; elsewhere systemd and the like start the
// command line as it is (docs/deploy.md).
func runAsService() (code int, ran bool) { return 0, false }
