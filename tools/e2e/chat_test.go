package e2e

import (
	"regexp"
	"testing"
)

// The chat page of lessons 04 and 06 (lesson 06 serves lesson 04's page).

// joinChat opens ann's page on annBase and bob's on bobBase (server URLs),
// both in room, and waits until each is open and lists the other.
func joinChat(t *testing.T, annBase, bobBase, room string) (ann, bob *page) {
	t.Helper()
	ann = openPage(t, annBase+"/?name=ann&room="+room)
	ann.waitText("status", "open")
	bob = openPage(t, bobBase+"/?name=bob&room="+room)
	bob.waitText("status", "open")
	ann.waitText("members", "bob")
	bob.waitText("members", "ann")
	return ann, bob
}

// say types text into the page's message box and sends it.
func (p *page) say(text string) {
	p.t.Helper()
	p.typeInto("message", text)
	p.click("send")
}

// startCluster starts three of lesson 06's instances sharing one NATS
// server, which the first runs embedded, with args for each, and a load
// balancer in front of the second and third.
func startCluster(t *testing.T, args ...string) (first, second, third *server, lb string) {
	t.Helper()
	first = startLesson(t, 6, append([]string{"-instances", "1"}, args...)...)
	m := regexp.MustCompile(`-nats (nats://\S+)\)`).FindStringSubmatch(first.Output())
	if m == nil {
		t.Fatalf("lesson 06's server did not log its embedded NATS server's URL (\"-nats nats://...\")\n%s", first.Output())
	}
	second = startLesson(t, 6, append([]string{"-nats", m[1]}, args...)...)
	third = startLesson(t, 6, append([]string{"-nats", m[1]}, args...)...)
	return first, second, third, startBalancer(t, second.Addr, third.Addr)
}
