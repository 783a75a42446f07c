package main

import (
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

// originAllowed applies the course's origin rule: no Origin (a command-line
// client) is accepted; an Origin whose host:port equals the request's Host is
// accepted; any other only when one of patterns (path.Match syntax, such as
// "localhost:*") matches its host:port.
func originAllowed(r *http.Request, patterns []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	o := withPort(u.Host, defaultPort(u.Scheme))
	self := "http"
	if r.TLS != nil {
		self = "https"
	}
	if strings.EqualFold(o, withPort(r.Host, defaultPort(self))) {
		return true
	}
	o = strings.ToLower(o)
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), o); ok {
			return true
		}
	}
	return false
}

// withPort returns host:port, adding port when hostport has none.
func withPort(hostport, port string) string {
	if _, _, err := net.SplitHostPort(hostport); err == nil {
		return hostport
	}
	return net.JoinHostPort(strings.Trim(hostport, "[]"), port)
}

func defaultPort(scheme string) string {
	switch strings.ToLower(scheme) {
	case "https", "wss":
		return "443"
	}
	return "80"
}
