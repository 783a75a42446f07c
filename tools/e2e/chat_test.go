package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The chat page of lessons 04 and 06 (lesson 06 serves lesson 04's page).

// joinChat opens ann's page on annBase and bob's on bobBase (server URLs),
// both in room, and waits until each is open and lists the other. Any
// JavaScript dialog either page opens is dismissed and reported (see
// dialogs).
func joinChat(t *testing.T, annBase, bobBase, room string) (ann, bob *page) {
	t.Helper()
	ann = openPage(t, annBase+"/?name=ann&room="+room)
	watchDialogs(ann)
	ann.waitText("status", "open")
	bob = openPage(t, bobBase+"/?name=bob&room="+room)
	watchDialogs(bob)
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

// dialogs are the JavaScript dialogs (alert, confirm, prompt) a chat page
// opened. The chat opens none: one that opens is script that came in a
// message and ran. Each is dismissed at once, because an open dialog stalls
// the page's script, and every later step would wait in vain and report a
// timeout instead of the injection.
type dialogs struct {
	mu     sync.Mutex
	opened []string // as type("message"): alert("1")
	told   int      // how many of them a failure has reported
	seen   chan struct{}
}

// pageDialogs holds the dialogs of each watched page.
var pageDialogs = struct {
	sync.Mutex
	m map[*page]*dialogs
}{m: map[*page]*dialogs{}}

// watchDialogs dismisses and keeps every dialog p opens from now on until
// the test ends, and then fails the test if there was one.
func watchDialogs(p *page) {
	d := &dialogs{seen: make(chan struct{}, 1)}
	pageDialogs.Lock()
	pageDialogs.m[p] = d
	pageDialogs.Unlock()
	ctx, cancel := context.WithCancel(p.ctx)
	events := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev, err := range events {
			if err != nil {
				return // the tab closed, or the test ended
			}
			d.mu.Lock()
			d.opened = append(d.opened, fmt.Sprintf("%s(%q)", ev.Type, ev.Message))
			d.mu.Unlock()
			select {
			case d.seen <- struct{}{}:
			default:
			}
			// Called here, not in a listener: Events runs this loop apart
			// from the tab's own, so a command may wait for its answer.
			cctx, ccancel := context.WithTimeout(ctx, actionTimeout)
			chromedp.Call(cctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
			ccancel()
		}
	}()
	p.t.Cleanup(func() {
		cancel()
		<-done
		pageDialogs.Lock()
		delete(pageDialogs.m, p)
		pageDialogs.Unlock()
		if opened := d.untold(); opened != "" {
			p.t.Errorf("%s opened %s: the page ran script that came in a chat message; want every message shown as text (textContent, never innerHTML)", p.url, opened)
		}
	})
}

// untold says which dialogs opened that no failure has reported yet, ""
// if none, and counts them as reported.
func (d *dialogs) untold() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := strings.Join(d.opened[d.told:], ", ")
	d.told = len(d.opened)
	return s
}

// any reports whether p opened a dialog.
func (d *dialogs) any() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.opened) > 0
}

// requireNoDialog fails the test if p opened a dialog. When the page
// holds markup made from a message (an <img> in #log), it first waits up to
// wait for the dialog that markup's handler opens, to report it.
func requireNoDialog(t *testing.T, p *page, wait time.Duration) {
	t.Helper()
	pageDialogs.Lock()
	d := pageDialogs.m[p]
	pageDialogs.Unlock()
	if d == nil {
		t.Fatalf("%s: its dialogs are not watched (joinChat watches them)", p.url)
	}
	n := p.count("#log img")
	if n > 0 && !d.any() {
		select {
		case <-d.seen:
		case <-time.After(wait):
		}
	}
	if opened := d.untold(); opened != "" {
		t.Fatalf("%s opened %s: the page ran script that came in a chat message; want every message shown as text (textContent, never innerHTML)\n%s", p.url, opened, p.shows())
	}
	if n > 0 {
		t.Fatalf("#log holds %d <img> elements: the page renders messages as HTML; want them shown as text (textContent, not innerHTML)\n%s", n, p.shows())
	}
}
