package emulator

import (
	"net"
	"net/http"
	"sync"
)

// limitListener accepts at most n connections at once: a connection
// accepted while every slot is taken waits for one, and the connections
// after it wait in the kernel's listen backlog (what golang.org/x/net/netutil's
// LimitListener does, without the dependency). Closing a connection frees
// its slot. A waiting connection first makes an idle keep-alive connection
// close (the server reports them through connState): idle clients must not
// keep others out until their idle timeout.
type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	mu     sync.Mutex
	idle   map[net.Conn]struct{} // connections between two requests
	idleCh chan struct{}         // a connection became idle
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{}),
		idle: map[net.Conn]struct{}{}, idleCh: make(chan struct{}, 1)}
}

func (l *limitListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	wrap := func() net.Conn { return &limitConn{Conn: c, release: func() { <-l.sem }} }
	for {
		select {
		case l.sem <- struct{}{}:
			return wrap(), nil
		default:
		}
		l.closeIdle()
		select {
		case l.sem <- struct{}{}:
			return wrap(), nil
		case <-l.idleCh: // one became idle: close it on the next turn
		case <-l.done:
			_ = c.Close()
			return nil, net.ErrClosed
		}
	}
}

// closeIdle closes one idle connection, if there is one, to free its slot.
// A client whose idle connection is closed opens a new one (net/http's
// transport retries a request that found its idle connection closed).
func (l *limitListener) closeIdle() {
	l.mu.Lock()
	var victim net.Conn
	for c := range l.idle {
		victim = c
		delete(l.idle, c)
		break
	}
	l.mu.Unlock()
	if victim != nil {
		_ = victim.Close()
	}
}

// connState is the http.Server's ConnState hook: it keeps the set of idle
// connections.
func (l *limitListener) connState(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s == http.StateIdle {
		l.idle[c] = struct{}{}
		select {
		case l.idleCh <- struct{}{}:
		default:
		}
	} else {
		delete(l.idle, c)
	}
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn frees its slot once, on the first Close (a hijacked connection
// is this same value, so a fault's reset frees it too).
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
