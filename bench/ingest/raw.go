package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// The citizens' side of the load is sent by a minimal HTTP/1.1 client: each
// request is serialised once before the phase, and a connection writes its
// bytes and reads the status line, the headers it needs and the body. The
// generator shares the two CPUs with the server and the database, and
// net/http's client (a header map per request and per response, a
// goroutine per connection reading ahead) cost about 60 µs of CPU per
// submission: as much as the database. Like wrk, this one costs a fraction
// of that, so the server gets the CPUs the figures are about. Staff pages,
// which need cookies and redirects, keep net/http.

// rawRequest serialises one POST of an urlencoded form.
func rawRequest(host, path, cookie, body string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n", path, host)
	if cookie != "" {
		fmt.Fprintf(&b, "Cookie: %s\r\n", cookie)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return b.Bytes()
}

// rawConn is one keep-alive connection.
type rawConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialRaw(addr string) (*rawConn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &rawConn{c: c, r: bufio.NewReaderSize(c, 16<<10)}, nil
}

// do sends req and reads the whole response; keep is false when the
// server asked to close the connection (or the exchange failed).
func (rc *rawConn) do(req []byte) (status int, keep bool, err error) {
	rc.c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := rc.c.Write(req); err != nil {
		return 0, false, err
	}
	line, err := rc.r.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	length, chunked, keep := -1, false, true
	for {
		h, err := rc.r.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, _ := bytes.Cut(h, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
	switch {
	case chunked:
		err = rc.discardChunks()
	case length >= 0:
		_, err = rc.r.Discard(length)
	default:
		return status, false, errors.New("response without a length")
	}
	return status, keep && err == nil, err
}

func (rc *rawConn) discardChunks() error {
	for {
		line, err := rc.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseInt(string(size), 16, 64)
		if err != nil {
			return fmt.Errorf("bad chunk size %q", line)
		}
		if _, err := rc.r.Discard(int(n) + 2); err != nil { // data and its CRLF
			return err
		}
		if n == 0 {
			return nil // no trailers: the zero chunk's CRLF ended the body
		}
	}
}

// rawPool hands out keep-alive connections to addr, dialling as needed.
type rawPool struct {
	addr string
	mu   sync.Mutex
	idle []*rawConn
}

// send posts req on a pooled connection and says whether it got a 200.
func (p *rawPool) send(req []byte) bool {
	p.mu.Lock()
	var rc *rawConn
	if n := len(p.idle); n > 0 {
		rc, p.idle = p.idle[n-1], p.idle[:n-1]
	}
	p.mu.Unlock()
	if rc == nil {
		var err error
		if rc, err = dialRaw(p.addr); err != nil {
			return false
		}
	}
	status, keep, err := rc.do(req)
	if err != nil {
		rc.c.Close()
		return false
	}
	if !keep {
		rc.c.Close()
		return status == 200
	}
	p.mu.Lock()
	p.idle = append(p.idle, rc)
	p.mu.Unlock()
	return status == 200
}

func (p *rawPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rc := range p.idle {
		rc.c.Close()
	}
	p.idle = nil
}
