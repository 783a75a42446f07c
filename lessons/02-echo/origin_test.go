package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// originCase is one opening handshake: Host ("" for the server's own
// address) and Origin ("" for none), and the status it must get.
type originCase struct {
	name   string
	host   string
	origin string
	want   int
}

func TestGorillaOrigin(t *testing.T) { testOrigin(t, gorillaEndpoint) }

func TestCoderOrigin(t *testing.T) { testOrigin(t, coderEndpoint) }

func testOrigin(t *testing.T, ep endpoint) {
	checkNoLeaks(t)

	ts := startServer(t)
	requireUpgrade(t, ts, ep)
	self := "http://" + ts.addr
	port := ts.addr[strings.LastIndexByte(ts.addr, ':')+1:]
	runOriginCases(t, ts, ep, "", []originCase{
		{"no Origin: a command-line client", "", "", 101},
		{"the page's own origin", "", self, 101},
		{"same host in other letters", "localhost:" + port, "http://LocalHost:" + port, 101},
		{"port 80 left out of Origin", "example.com:80", "http://example.com", 101},
		{"port 80 left out of Host", "example.com", "http://example.com:80", 101},
		{"port 443 left out of Origin", "example.com:443", "https://example.com", 101},
		{"another port", "", "http://127.0.0.1:1", 403},
		{"another site", "", "http://evil.example", 403},
		{"same name, other scheme's port", "example.com:443", "http://example.com", 403},
		{"a sandboxed page: null", "", "null", 403},
	})

	ts = startServer(t, "-origin", "*.trusted.example,partner.example:8443")
	runOriginCases(t, ts, ep, "-origin *.trusted.example,partner.example:8443", []originCase{
		{"matches *.trusted.example", "", "https://app.trusted.example", 101},
		{"matches *.trusted.example on any port", "", "http://app.trusted.example:3000", 101},
		{"matches partner.example:8443", "", "https://partner.example:8443", 101},
		{"partner.example on another port", "", "https://partner.example", 403},
		{"a site not listed", "", "http://evil.example", 403},
		{"the page's own origin still", "", "http://" + ts.addr, 101},
	})
}

func runOriginCases(t *testing.T, ts *testServer, ep endpoint, flags string, cases []originCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, resp := handshake(t, ts, ep.path, tc.host, tc.origin)
			if c != nil {
				c.close()
			}
			host := tc.host
			if host == "" {
				host = ts.addr
			}
			where := "server flags: " + flags
			if flags == "" {
				where = "no -origin flag"
			}
			if !assert.Equalf(t, tc.want, resp.StatusCode, "GET %s with Host %q and Origin %q (%s): status (look at %s and the rule in origin.go)",
				ep.path, host, tc.origin, where, ep.file) {
				return
			}
			if tc.want == http.StatusForbidden {
				body, _ := io.ReadAll(resp.Body)
				reason := strings.TrimSpace(string(body))
				assert.Truef(t, strings.Contains(strings.ToLower(reason), "origin") && !strings.Contains(reason, "\n"),
					"GET %s with Origin %q: 403 body %q; want a one-line reason that names the origin check (look at %s)", ep.path, tc.origin, body, ep.file)
			}
		})
	}
}
