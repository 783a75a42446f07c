// course:shared: the same in every lesson that has this file; make verify compares the copies.

package main

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// originPolicy decides which web pages may open a WebSocket to this server.
//
// A browser lets any page open a WebSocket to any server and sends along the
// cookies it holds for that server; CORS does not apply. The Origin header,
// which a page cannot forge, is how a server tells its own page from another
// site's (cross-site WebSocket hijacking). The rule:
//
//   - no Origin header: accepted (command-line clients send none);
//   - an Origin whose host:port equals the request's Host: accepted, compared
//     case-insensitively, a missing port read as the default of the Origin's
//     scheme (80 for http, 443 for https);
//   - an Origin matching one of the -origin patterns: accepted;
//   - anything else, "null" included (sandboxed pages, files): refused.
type originPolicy struct {
	// patterns are path.Match patterns in lower case. One with a port is
	// matched against the Origin's host:port, one without against its host.
	patterns []string
}

// parseOrigins reads the -origin flag: comma-separated patterns. One that
// could never match (a scheme, a broken pattern) is refused, so a mistake
// shows when the server starts rather than as a 403 in the browser.
func parseOrigins(list string) (originPolicy, error) {
	var p originPolicy
	for pat := range strings.SplitSeq(list, ",") {
		pat = strings.ToLower(strings.TrimSpace(pat))
		if pat == "" {
			continue
		}
		if strings.Contains(pat, "/") {
			return originPolicy{}, fmt.Errorf("-origin: %q: want host or host:port patterns, without a scheme or path", pat)
		}
		if _, err := path.Match(pat, ""); err != nil {
			return originPolicy{}, fmt.Errorf("-origin: %q is not a valid pattern: %v", pat, err)
		}
		p.patterns = append(p.patterns, pat)
	}
	return p, nil
}

// allowed reports whether r may open a WebSocket. It has the signature of
// gorilla/websocket's Upgrader.CheckOrigin.
func (p originPolicy) allowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	host, port, def, ok := originHostPort(origin)
	if !ok {
		return false
	}
	// The Host takes the Origin's default port, not the connection's: behind
	// a TLS proxy a page at https://example.com arrives with Host example.com.
	if rh, rp, ok := splitHostPort(r.Host, def); ok && strings.EqualFold(rh, host) && rp == port {
		return true
	}
	hostPort := strings.ToLower(net.JoinHostPort(host, port))
	for _, pat := range p.patterns {
		target := hostPort
		if !hasPort(pat) {
			target = strings.ToLower(host)
		}
		if ok, _ := path.Match(pat, target); ok {
			return true
		}
	}
	return false
}

// originHostPort splits an Origin such as "https://example.com" into host and
// port, filling in def, the default port of its scheme. Only web pages, http
// and https, have an origin a server can check.
func originHostPort(origin string) (host, port, def string, ok bool) {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return "", "", "", false
	}
	switch u.Scheme { // url.Parse gives it in lower case
	case "http":
		def = "80"
	case "https":
		def = "443"
	default:
		return "", "", "", false
	}
	host, port, ok = splitHostPort(u.Host, def)
	return host, port, def, ok
}

// splitHostPort splits "host:port", "host", "[::1]:port" or "[::1]", using
// def when the port is missing.
func splitHostPort(hostport, def string) (host, port string, ok bool) {
	if !hasPort(hostport) {
		host = strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
		return host, def, host != ""
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || host == "" || port == "" {
		return "", "", false
	}
	return host, port, true
}

// hasPort reports whether s, a host or host:port, ends with a port. An IPv6
// address carries its port after brackets: "[::1]:8080".
func hasPort(s string) bool {
	if strings.HasPrefix(s, "[") {
		return strings.Contains(s, "]:")
	}
	return strings.Count(s, ":") == 1
}
