// delayserver: many TLS listeners on 127.0.0.1 behind a simulated network round trip, for
// bench/fleet.py. Each accepted connection's bytes are delivered DELAY/2 after they were
// sent, each way (a 50 ms round trip with -delay 50ms), so the TLS handshake pays the
// round trips a real network would; the TCP handshake itself is the kernel's and is not
// delayed. Every -hang-every'th listener accepts and never answers. With -delay 0 it is a
// plain TLS server (bench/exporter.py's target).
//
//	delayserver -cert srv.pem -key srv.key -n 1000 -hang-every 10 -delay 50ms
//
// Prints one line per listener on stdout: "PORT ok" or "PORT hang", then "ready".
package main

import (
	"bufio"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"sync"
	"time"
)

type chunk struct {
	data []byte
	due  time.Time
}

// delayedConn delivers what it reads, and writes what it is given, `oneWay` after the
// bytes arrived or were written, in order; neither side is blocked while bytes are in
// flight.
type delayedConn struct {
	net.Conn
	oneWay  time.Duration
	in      chan chunk
	out     chan chunk
	pending []byte
	readErr error
	once    sync.Once
}

func newDelayedConn(c net.Conn, oneWay time.Duration) *delayedConn {
	d := &delayedConn{Conn: c, oneWay: oneWay, in: make(chan chunk, 64), out: make(chan chunk, 64)}
	go func() {
		for {
			buf := make([]byte, 16384)
			n, err := c.Read(buf)
			if n > 0 {
				d.in <- chunk{buf[:n], time.Now().Add(oneWay)}
			}
			if err != nil {
				close(d.in)
				return
			}
		}
	}()
	go func() {
		for ch := range d.out {
			time.Sleep(time.Until(ch.due))
			if _, err := c.Write(ch.data); err != nil {
				return
			}
		}
	}()
	return d
}

func (d *delayedConn) Read(p []byte) (int, error) {
	if len(d.pending) == 0 {
		ch, ok := <-d.in
		if !ok {
			return 0, io.EOF
		}
		time.Sleep(time.Until(ch.due))
		d.pending = ch.data
	}
	n := copy(p, d.pending)
	d.pending = d.pending[n:]
	return n, nil
}

func (d *delayedConn) Write(p []byte) (int, error) {
	d.out <- chunk{append([]byte(nil), p...), time.Now().Add(d.oneWay)}
	return len(p), nil
}

func (d *delayedConn) Close() error {
	d.once.Do(func() {
		close(d.out)
		// Let queued writes go out before the socket closes.
		go func() { time.Sleep(d.oneWay + 10*time.Millisecond); d.Conn.Close() }()
	})
	return nil
}

func main() {
	cert := flag.String("cert", "", "server certificate chain (PEM)")
	key := flag.String("key", "", "server key (PEM)")
	n := flag.Int("n", 1000, "listeners")
	hangEvery := flag.Int("hang-every", 10, "every Nth listener accepts and never answers (0: none)")
	delay := flag.Duration("delay", 50*time.Millisecond, "round trip added to every exchange")
	flag.Parse()
	pair, err := tls.LoadX509KeyPair(*cert, *key)
	if err != nil {
		log.Fatal(err)
	}
	config := &tls.Config{Certificates: []tls.Certificate{pair}}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; i < *n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		hang := *hangEvery > 0 && i%*hangEvery == *hangEvery-1
		port := ln.Addr().(*net.TCPAddr).Port
		if hang {
			fmt.Fprintf(out, "%d hang\n", port)
		} else {
			fmt.Fprintf(out, "%d ok\n", port)
		}
		go serve(ln, config, *delay/2, hang)
	}
	fmt.Fprintln(out, "ready")
	out.Flush()
	select {}
}

func serve(ln net.Listener, config *tls.Config, oneWay time.Duration, hang bool) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		if hang {
			// Read and drop whatever comes, answer nothing, until the client gives up.
			go func() { io.Copy(io.Discard, c); c.Close() }()
			continue
		}
		go func() {
			var conn net.Conn = c
			if oneWay > 0 {
				conn = newDelayedConn(c, oneWay)
			}
			t := tls.Server(conn, config)
			defer t.Close()
			t.SetDeadline(time.Now().Add(30 * time.Second))
			if err := t.Handshake(); err != nil {
				return
			}
			// Wait for the client to close (it sends nothing over the session).
			io.Copy(io.Discard, t)
		}()
	}
}
