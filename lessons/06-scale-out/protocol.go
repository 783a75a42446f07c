package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// maxTextLength is the most characters (Unicode code points, after trimming
// white space) a chat message may hold.
const maxTextLength = 1000

// The messages the server sends, one struct each so that every field the
// contract names is always there (an empty history is [], never missing).

// welcome is the first message on every connection.
type welcome struct {
	Type    string    `json:"type"` // "welcome"
	You     string    `json:"you"`
	Room    string    `json:"room"`
	Epoch   string    `json:"epoch"`
	Members []string  `json:"members"`
	History []message `json:"history"`
}

// message is one chat message, as sent live and as kept in history.
type message struct {
	Type string    `json:"type"` // "message"
	ID   int64     `json:"id"`
	Room string    `json:"room"`
	From string    `json:"from"`
	Text string    `json:"text"`
	At   time.Time `json:"at"` // encoding/json writes RFC 3339
}

// presence tells the other members that someone came or went.
type presence struct {
	Type string `json:"type"` // "join" or "leave"
	Room string `json:"room"`
	Name string `json:"name"`
}

// errorMessage answers anything the server refuses.
type errorMessage struct {
	Type  string `json:"type"` // "error"
	Error string `json:"error"`
}

// encode marshals a server message. The types above always marshal.
func encode(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return data
}

// encodeError is the error message that gives err's text as the reason.
func encodeError(err error) []byte {
	return encode(errorMessage{Type: "error", Error: err.Error()})
}

// inbound is what a client may send: {"type":"message","text":TEXT}.
type inbound struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// parseInbound decodes and checks one message from a client, and returns the
// text to post, trimmed. Its errors are the one-line reasons the client gets.
func parseInbound(typ websocket.MessageType, data []byte) (string, error) {
	if typ != websocket.MessageText {
		return "", errors.New(`binary message: send JSON text, {"type":"message","text":"..."}`)
	}
	// encoding/json would pass invalid UTF-8 on as U+FFFD; JSON is UTF-8.
	var in inbound
	if err := json.Unmarshal(data, &in); err != nil || !utf8.Valid(data) {
		return "", errors.New(`invalid JSON: want {"type":"message","text":"..."}`)
	}
	if in.Type != "message" {
		return "", fmt.Errorf(`unknown type %s: want "message"`, quoteShort(in.Type))
	}
	text := strings.TrimSpace(in.Text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return "", errors.New("empty message: the text is blank")
	case n > maxTextLength:
		return "", fmt.Errorf("message too long: %d characters, at most %d", n, maxTextLength)
	}
	return text, nil
}

// quoteShort quotes s for an error message, cut to a few characters so that
// the reason stays one short line.
func quoteShort(s string) string {
	if r := []rune(s); len(r) > 20 {
		s = string(r[:20]) + "…"
	}
	return strconv.Quote(s)
}

// joinRequest is what a client asks for in the query of /ws.
type joinRequest struct {
	name, room string
	// resume: give only the history after since, if epoch is this server's.
	resume bool
	since  int64
	epoch  string // "" for the current one
}

// parseJoin reads and checks ?name=NAME&room=ROOM&since=ID&epoch=EPOCH.
// Its errors are the reasons of the error message and of the close 1008.
func parseJoin(q url.Values) (joinRequest, error) {
	req := joinRequest{name: q.Get("name"), room: q.Get("room"), epoch: q.Get("epoch")}
	if !validName(req.name) {
		return req, errors.New("invalid name: want 1 to 32 of A-Z a-z 0-9 and . _ -")
	}
	if req.room == "" {
		req.room = "lobby"
	}
	if !validName(req.room) {
		return req, errors.New("invalid room: want 1 to 32 of A-Z a-z 0-9 and . _ -")
	}
	if s := q.Get("since"); s != "" {
		n, err := strconv.ParseUint(s, 10, 63)
		if err != nil {
			return req, errors.New("invalid since: want a non-negative integer, a message id")
		}
		req.resume, req.since = true, int64(n)
	}
	return req, nil
}

// validName reports whether s is a valid name or room: 1 to 32 ASCII
// letters, digits, '_', '-' or '.'.
func validName(s string) bool {
	if len(s) < 1 || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}
