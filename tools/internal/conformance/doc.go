// Package conformance holds an echo server to RFC 6455: some two hundred
// cases in sections like the Autobahn testsuite's (framing, pings, reserved
// bits, opcodes, fragmentation, UTF-8, closing, limits, delivery), each run on
// a connection of its own and judged pass, non-strict or fail.
//
// The cases are written from RFC 6455 and RFC 3629 for the course's echo
// servers, whose limit is a message of 65536 bytes. Run takes only a URL, so
// anything that can start a server (the course runner, a person with a
// terminal) can hold it against the cases; the Results it returns write
// themselves as a terminal summary, a Markdown report and JSON.
package conformance
