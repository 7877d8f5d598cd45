package slackemu

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// ErrNoSocket is returned when Socket Mode delivery is chosen but no app is connected.
var ErrNoSocket = errors.New("slackemu: no Socket Mode connection")

// socketConn is one Socket Mode WebSocket connection.
type socketConn struct {
	ws     *websocket.Conn
	wmu    sync.Mutex
	closed chan struct{}
	once   sync.Once
}

// writeJSON writes one message (gorilla allows one writer at a time).
func (c *socketConn) writeJSON(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteJSON(v)
}

// ping writes a WebSocket ping.
func (c *socketConn) ping() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.WriteControl(websocket.PingMessage, []byte("emu"), time.Now().Add(10*time.Second))
}

// close closes the connection once.
func (c *socketConn) close() {
	c.once.Do(func() {
		close(c.closed)
		_ = c.ws.Close()
	})
}

// appsConnectionsOpen is apps.connections.open (app-level token): it returns a
// ws:// URL on the emulator.
func appsConnectionsOpen(s *Server, rq *apiRequest) (obj, error) {
	ticket := randomHex(16)
	s.tickets[ticket] = true
	base := rq.base
	switch {
	case strings.HasPrefix(base, "https://"):
		base = "wss://" + strings.TrimPrefix(base, "https://")
	case strings.HasPrefix(base, "http://"):
		base = "ws://" + strings.TrimPrefix(base, "http://")
	}
	return obj{"url": base + "/_emu/socket?ticket=" + ticket}, nil
}

// upgrader accepts Socket Mode connections from any origin.
var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveSocket accepts a Socket Mode connection, says hello, pings it and reads acks.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	ok := s.tickets[ticket]
	delete(s.tickets, ticket)
	s.mu.Unlock()
	if !ok {
		http.Error(w, "invalid ticket", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &socketConn{ws: ws, closed: make(chan struct{})}
	s.mu.Lock()
	s.sockets = append(s.sockets, c)
	n := len(s.sockets)
	s.mu.Unlock()
	defer s.dropSocket(c)

	hello := obj{"type": "hello", "num_connections": n,
		"debug_info":      obj{"host": "slackemu", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": obj{"app_id": AppID}}
	if err := c.writeJSON(hello); err != nil {
		return
	}
	go s.pingLoop(c)
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		s.mu.Lock()
		ch := s.acks[ack.EnvelopeID]
		delete(s.acks, ack.EnvelopeID)
		s.mu.Unlock()
		if ch != nil {
			ch <- ack.Payload
		}
	}
}

// pingLoop pings c until it closes.
func (s *Server) pingLoop(c *socketConn) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if c.ping() != nil {
				c.close()
				return
			}
		case <-c.closed:
			return
		case <-s.done:
			return
		}
	}
}

// dropSocket forgets and closes c.
func (s *Server) dropSocket(c *socketConn) {
	s.mu.Lock()
	for i, x := range s.sockets {
		if x == c {
			s.sockets = append(s.sockets[:i], s.sockets[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	c.close()
}

// SocketConnections returns the number of open Socket Mode connections.
func (s *Server) SocketConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sockets)
}

// DisconnectSockets asks every connected app to reconnect (a Slack "disconnect"
// message with the given reason, e.g. "refresh_requested").
func (s *Server) DisconnectSockets(reason string) {
	s.mu.Lock()
	conns := append([]*socketConn(nil), s.sockets...)
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.writeJSON(obj{"type": "disconnect", "reason": reason, "debug_info": obj{"host": "slackemu"}})
	}
}

// deliverEnvelope sends a payload over the newest Socket Mode connection and
// waits for the ack with the same envelope_id; the ack's payload is the reply body.
func (s *Server) deliverEnvelope(ctx context.Context, typ string, payload any, acceptsResponse bool) (*Reply, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	return s.exchangeEnvelope(ctx, typ, body, acceptsResponse, 0, "")
}

// exchangeEnvelope is deliverEnvelope for a payload already encoded, as the
// given retry (0 for a first delivery) with its reason.
func (s *Server) exchangeEnvelope(ctx context.Context, typ string, body json.RawMessage, acceptsResponse bool, retry int, reason string) (*Reply, error) {
	envID := randomHex(4) + "-" + randomHex(2) + "-" + randomHex(2) + "-" + randomHex(2) + "-" + randomHex(6)
	ackc := make(chan json.RawMessage, 1)
	s.mu.Lock()
	if len(s.sockets) == 0 {
		s.mu.Unlock()
		return nil, ErrNoSocket
	}
	c := s.sockets[len(s.sockets)-1]
	s.acks[envID] = ackc
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.acks, envID)
		s.mu.Unlock()
	}()
	start := time.Now()
	env := obj{"envelope_id": envID, "type": typ, "payload": body,
		"accepts_response_payload": acceptsResponse, "retry_attempt": retry, "retry_reason": reason}
	if err := c.writeJSON(env); err != nil {
		return nil, err
	}
	select {
	case ack := <-ackc:
		rep := &Reply{Status: http.StatusOK, Body: []byte(ack), Elapsed: time.Since(start), EnvelopeID: envID}
		rep.parse()
		return rep, nil
	case <-c.closed:
		return nil, errors.New("slackemu: Socket Mode connection closed before the ack")
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.done:
		return nil, errors.New("slackemu: server closed")
	}
}
