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
// A browser lets any page open a WebSocket to any server and sends the
// cookies it holds for that server along; the Origin header, which a page
// cannot forge, is the server's only way to tell its own page from someone
// else's (cross-site WebSocket hijacking). The rule:
//
//   - no Origin header: accepted (command-line clients send none);
//   - an Origin whose host:port equals the request's Host: accepted, compared
//     case-insensitively, a missing port read as the default of the Origin's
//     scheme (80 for http, 443 for https);
//   - an Origin matching one of the -origin patterns: accepted;
//   - anything else: refused with 403.
type originPolicy struct {
	// patterns are path.Match patterns, lower case. One with a port is
	// matched against the Origin's host:port, one without against its host.
	patterns []string
}

// parseOrigins reads the -origin flag: comma-separated patterns.
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
//
//lint:ignore U1000 the endpoints you write in gorilla.go and coder.go call it
func (p originPolicy) allowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	host, port, def, ok := originHostPort(origin)
	if !ok {
		return false // "null" (sandboxed pages, files) or garbage
	}
	if rh, rp, ok := splitHostPort(r.Host, def); ok &&
		strings.EqualFold(rh, host) && rp == port {
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

// acceptPatterns returns the OriginPatterns to give coder/websocket's Accept
// for request r, so that /ws/coder applies the same rule as /ws.
//
// Accept accepts an Origin whose host equals r.Host as a plain string, and
// any that matches one of OriginPatterns; it refuses everything else with 403.
// That differs from this server's rule where a port is left out on one side
// only ("http://example.com" for Host "example.com:80"), so the origin that
// allowed accepts is handed over as the one pattern, and none otherwise.
//
//lint:ignore U1000 the endpoint you write in coder.go calls it
func (p originPolicy) acceptPatterns(r *http.Request) []string {
	origin := r.Header.Get("Origin")
	if origin == "" || !p.allowed(r) {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil {
		return nil
	}
	// Escape the characters path.Match treats specially ("[" in "[::1]:80").
	var b strings.Builder
	for _, c := range u.Host {
		if strings.ContainsRune(`*?[]\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return []string{b.String()}
}

// originHostPort returns the host and port of an Origin header value such as
// "https://example.com", filling in the scheme's default port, which it also
// returns as def.
func originHostPort(origin string) (host, port, def string, ok bool) {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return "", "", "", false
	}
	switch u.Scheme {
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
