//go:build windows

package main

import (
	"context"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows/svc"
)

// runAsService runs the command line under Windows's service manager when
// the process was started by it (New-Service or sc.exe create, with
// "parindex.exe serve" as the binary path; docs/deploy.md): a program that
// does not answer the service manager is killed after 30 s as "not
// responding". Stop and shutdown requests end the server as SIGTERM does
// elsewhere. It reports false when the process is not a service.
func runAsService() (code int, ran bool) {
	isService, err := svc.IsWindowsService()
	if err != nil || !isService {
		return 0, false
	}
	// A service has no console: what the command prints goes to a log
	// file in the data folder (PARINDEX_DATA_DIR, else data\ beside the
	// executable, since a service starts in C:\Windows\System32).
	dir := os.Getenv("PARINDEX_DATA_DIR")
	if dir == "" {
		exe, _ := os.Executable()
		dir = filepath.Join(filepath.Dir(exe), "data")
		os.Setenv("PARINDEX_DATA_DIR", dir)
	}
	os.MkdirAll(dir, 0o750)
	logFile, err := os.OpenFile(filepath.Join(dir, "parindex-service.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return 1, true
	}
	defer logFile.Close()
	h := &serviceHandler{log: logFile}
	if err := svc.Run("parindex", h); err != nil {
		return 1, true
	}
	return h.code, true
}

type serviceHandler struct {
	log  *os.File
	code int
}

func (h *serviceHandler) Execute(_ []string, requests <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, os.Args[1:], h.log, h.log) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case h.code = <-done:
			status <- svc.Status{State: svc.StopPending}
			return false, uint32(h.code)
		case r := <-requests:
			switch r.Cmd {
			case svc.Interrogate:
				status <- r.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending}
				cancel()
				h.code = <-done
				return false, uint32(h.code)
			}
		}
	}
}
