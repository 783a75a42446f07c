package main

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// A browser sends Origin with every WebSocket handshake, and unlike fetch or
// XMLHttpRequest the WebSocket API is not held back by CORS: any page the user
// visits may open a socket to this server with the user's cookies. Refusing
// foreign origins is the server's job.

// originAllowed applies the course's origin rule:
//
//   - no Origin header (a command-line client): accepted;
//   - an Origin whose host:port equals the request's Host: accepted, compared
//     without regard to case, a missing port read as the default of the
//     Origin's scheme (80 for http, 443 for https);
//   - an Origin that one of patterns matches: accepted. A pattern with a port,
//     such as "localhost:*", is matched against the Origin's host:port; one
//     without, such as "*.example.org", against its host, so any port;
//   - anything else, "null" included (sandboxed pages, files): refused.
func originAllowed(r *http.Request, patterns []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	host, port, def, ok := originHostPort(origin)
	if !ok {
		return false
	}
	// The Host gets the Origin's default port, not the one of the connection:
	// behind a TLS proxy the request arrives as plain HTTP with Host
	// "example.com", from a page at https://example.com.
	if rh, rp, ok := splitHostPort(r.Host, def); ok && strings.EqualFold(rh, host) && rp == port {
		return true
	}
	for _, p := range patterns {
		target := host
		if hasPort(p) {
			target = net.JoinHostPort(host, port)
		}
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(target)); ok {
			return true
		}
	}
	return false
}

// parseOrigins reads the -origin flag: comma-separated patterns in path.Match
// syntax. A value that could never match, with a scheme or a broken pattern,
// is refused, so that a mistake shows when the server starts rather than as a
// 403 in the browser.
func parseOrigins(list string) ([]string, error) {
	var patterns []string
	for p := range strings.SplitSeq(list, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		if strings.Contains(p, "/") {
			return nil, fmt.Errorf("-origin: %q: want host or host:port patterns, without a scheme or path", p)
		}
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("-origin: %q is not a valid pattern: %v", p, err)
		}
		patterns = append(patterns, p)
	}
	return patterns, nil
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
