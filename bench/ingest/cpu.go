package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cpuUse is the CPU time (user + system, all threads) the three parties of a
// phase used: this generator, the server process, and every PostgreSQL
// process on the machine. Read from /proc, so it shows where the two shared
// CPUs went whatever else the machine was doing; zero where /proc is
// missing.
type cpuUse struct {
	generator, server, database time.Duration
}

func (a cpuUse) sub(b cpuUse) cpuUse {
	return cpuUse{a.generator - b.generator, a.server - b.server, a.database - b.database}
}

// readCPU reads the current totals; server is the server's pid (0 when the
// server runs inside this process, as the no-op handler does).
func readCPU(server int) cpuUse {
	u := cpuUse{generator: procCPU(os.Getpid())}
	if server != 0 {
		u.server = procCPU(server)
	}
	// Every PostgreSQL process, and the postmaster's reaped children
	// (backends and autovacuum workers that ended during the phase).
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(d))
		st, ok := procStat(pid)
		if !ok || st.comm != "postgres" {
			continue
		}
		u.database += st.cpu
		if parent, ok := procStat(st.ppid); !ok || parent.comm != "postgres" {
			u.database += st.children
		}
	}
	return u
}

// clockTick is USER_HZ, the unit of /proc/PID/stat times: 100 on every
// Linux platform Go supports.
const clockTick = 10 * time.Millisecond

// procCPU returns utime + stime of a process (threads included).
func procCPU(pid int) time.Duration {
	st, _ := procStat(pid)
	return st.cpu
}

type stat struct {
	comm          string
	ppid          int
	cpu, children time.Duration
}

// procStat reads /proc/PID/stat: the command name, the parent, the
// process's own CPU time and that of its waited-for children.
func procStat(pid int) (stat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, false
	}
	// The command name (field 2) is in parentheses and may hold spaces;
	// the fields after it start with the state (field 3).
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return stat{}, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 15 {
		return stat{}, false
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
	return stat{
		comm:     s[open+1 : end],
		ppid:     int(n(1)),
		cpu:      time.Duration(n(11)+n(12)) * clockTick,
		children: time.Duration(n(13)+n(14)) * clockTick,
	}, true
}

// perOp formats d spread over n operations in microseconds.
func perOp(d time.Duration, n int64) string {
	if n == 0 || d <= 0 {
		return "-"
	}
	return strconv.FormatInt(d.Microseconds()/n, 10)
}
