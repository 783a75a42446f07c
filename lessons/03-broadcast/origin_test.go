package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
)

// TestOrigin: the hub is open to its own page and to command-line clients,
// not to other sites (serveWS in main.go, with the rule of origin.go).
func TestOrigin(t *testing.T) {
	checkNoLeaks(t)
	ts := startHub(t, "-origin", "*.trusted.example")
	requireBroadcast(t, ts)
	for _, tc := range []struct {
		name, origin string
		want         int
	}{
		{"no Origin: a command-line client", "", http.StatusSwitchingProtocols},
		{"the page's own origin", "http://" + ts.addr, http.StatusSwitchingProtocols},
		{"allowed by -origin *.trusted.example", "https://app.trusted.example", http.StatusSwitchingProtocols},
		{"another site", "http://evil.example", http.StatusForbidden},
		{"another port", "http://127.0.0.1:1", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := websocket.Dialer{HandshakeTimeout: readTimeout}
			conn, resp, err := d.Dial("ws://"+ts.addr+"/ws", originHeader(tc.origin))
			if conn != nil {
				conn.Close()
			}
			if resp == nil {
				t.Fatalf("GET /ws with Origin %q: %v; want an HTTP response", tc.origin, err)
			}
			defer resp.Body.Close()
			if !assert.Equalf(t, tc.want, resp.StatusCode, "GET /ws with Origin %q (-origin *.trusted.example): got %s, want %d (serveWS in main.go and origin.go are given: have they changed?)", tc.origin, resp.Status, tc.want) {
				return
			}
			if tc.want == http.StatusForbidden {
				body, _ := io.ReadAll(resp.Body)
				assert.Containsf(t, strings.ToLower(string(body)), "origin", "GET /ws with Origin %q: 403 body %q; want a reason that names the origin check", tc.origin, body)
			}
		})
	}
}
