package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Every step in the browser runs under one of these deadlines, so a page that
// never shows what a test wants fails the test in seconds.
const (
	browserStartTimeout = 30 * time.Second // a cold start on a busy CI machine
	pageLoadTimeout     = 15 * time.Second // new tab, navigation and load event
	waitTimeout         = 5 * time.Second  // the page shows what a test waits for
	actionTimeout       = 5 * time.Second  // typing, clicking, reading
)

// browserFlags make Chromium headless and safe to run as root, and keep it off
// the network: without the background-networking flags it reaches out to
// Google services, which a closed network refuses.
var browserFlags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("headless", true),
	chromedp.Flag("no-sandbox", true), // CI runs as root, where the sandbox refuses to start
	chromedp.Flag("disable-gpu", true),
	chromedp.Flag("disable-dev-shm-usage", true), // containers often have a tiny /dev/shm
	chromedp.Flag("disable-quic", true),
	chromedp.Flag("no-first-run", true),
	chromedp.Flag("no-default-browser-check", true),
	chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true),
	chromedp.Flag("disable-sync", true),
	chromedp.Flag("disable-extensions", true),
	// Tabs other than the front one keep running their timers and WebSockets.
	chromedp.Flag("disable-background-timer-throttling", true),
	chromedp.Flag("disable-renderer-backgrounding", true),
	chromedp.Flag("disable-backgrounding-occluded-windows", true),
}

// The browser is started once per test binary, on first use, and each page
// gets a tab of its own.
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserErr    error
	browserCancel = func() {}
)

// chromiumPath returns the browser binary to drive: $CHROMIUM if set, else
// chromium on PATH (Debian's /usr/bin/chromium).
func chromiumPath() (string, error) {
	name, where := os.Getenv("CHROMIUM"), "CHROMIUM=%s is not an executable file"
	if name == "" {
		name, where = "chromium", "no %s on PATH"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("Chromium not found ("+where+"): install it with `sudo apt-get install chromium`, or set CHROMIUM to a Chromium or Chrome binary", name)
	}
	return path, nil
}

// requireBrowser returns the context of the shared browser. Without Chromium
// the test is skipped, or fails when CI=true, because CI must run every
// browser test.
func requireBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := chromiumPath()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true: browser tests must run, not skip)", err)
		}
		t.Skip(err)
	}
	browserOnce.Do(func() { browserCtx, browserErr = startBrowser(path) })
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	return browserCtx
}

func startBrowser(path string) (context.Context, error) {
	dataDir, err := os.MkdirTemp(workDir, "chromium-profile-")
	if err != nil {
		return nil, err
	}
	opts := append([]chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.UserDataDir(dataDir)}, browserFlags...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	browserCancel = func() { cancelBrowser(); cancelAlloc() }
	// The first Run ties the browser's life to its context, so it cannot
	// carry a deadline; a timer that cancels the context bounds it instead.
	if err := within(browserStartTimeout, browserCancel, func() error { return chromedp.Do(ctx) }); err != nil {
		return nil, fmt.Errorf("start Chromium %s: %w%s", path, err, crashHint(err, "about:blank"))
	}
	return ctx, nil
}

// closeBrowser stops the browser, if it was started, and waits for it to exit.
func closeBrowser() { browserCancel() }

// within runs f, calling cancel if it has not returned after d.
func within(d time.Duration, cancel func(), f func() error) error {
	timer := time.AfterFunc(d, cancel)
	err := f()
	if !timer.Stop() {
		return fmt.Errorf("gave up after %v: %w", d, err)
	}
	return err
}

// crashHint says what to try when err means that Chromium died.
func crashHint(err error, url string) string {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return ""
	}
	return "\nChromium died. Headless Chromium aborts on a machine with no fonts: `sudo apt-get install fonts-liberation`." +
		"\nTo see its own messages, run it by hand: chromium --headless --no-sandbox --disable-gpu --dump-dom " + url
}

// page is one browser tab showing a lesson's client.
type page struct {
	t   *testing.T
	ctx context.Context // the tab's context: cancelling it closes the tab
	url string
}

// openPage opens url in a new tab and waits for it to load. The tab closes
// when the test ends.
func openPage(t *testing.T, url string) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(requireBrowser(t))
	t.Cleanup(cancel)
	if err := within(pageLoadTimeout, cancel, func() error { return chromedp.Do(ctx) }); err != nil {
		t.Fatalf("open a browser tab: %v%s", err, crashHint(err, url))
	}
	p := &page{t: t, ctx: ctx, url: url}
	if err := p.run(pageLoadTimeout, chromedp.Navigate(url)); err != nil {
		t.Fatalf("load %s: %v%s", url, err, crashHint(err, url))
	}
	return p
}

// run runs actions in the tab under a deadline.
func (p *page) run(d time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(p.ctx, d)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals; JSON strings are JS strings
	return string(b)
}

// byID is a JavaScript expression for the element with this id, or null.
func byID(id string) string { return "document.getElementById(" + jsString(id) + ")" }

// evaluate returns the value of a JavaScript expression in the page.
func evaluate[T any](p *page, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// readText returns the text of element #id, or an error if there is none.
func (p *page) readText(id string) (string, error) {
	s, err := evaluate[*string](p, "(e => e && e.textContent)("+byID(id)+")")
	if err != nil {
		return "", fmt.Errorf("read #%s: %w", id, err)
	}
	if s == nil {
		return "", fmt.Errorf("the page has no element #%s", id)
	}
	return *s, nil
}

// text returns the text of element #id, failing the test if it cannot.
func (p *page) text(id string) string {
	p.t.Helper()
	s, err := p.readText(id)
	if err != nil {
		p.t.Fatalf("%v\n%s", err, p.shows())
	}
	return s
}

// shows describes what the page shows, for failure messages: the text of
// #status and the end of #log.
func (p *page) shows() string {
	const max = 2000
	out := "the page at " + p.url + " shows:"
	for _, id := range []string{"status", "log"} {
		s, err := p.readText(id)
		if err != nil {
			out += fmt.Sprintf("\n  #%s: (%v)", id, err)
			continue
		}
		if len(s) > max {
			s = "..." + s[len(s)-max:]
		}
		out += fmt.Sprintf("\n  #%s: %q", id, s)
	}
	return out
}

// waitFor waits until the JavaScript expression is truthy in the page, checking
// it again on every change to the DOM. what says, for the failure message,
// what the test is waiting for.
func (p *page) waitFor(what, expr string) {
	p.t.Helper()
	p.waitWithin(waitTimeout, what, expr)
}

// waitWithin is waitFor with a deadline of its own, for what the page does
// only after seconds of its own timers (a reconnect's backoff).
func (p *page) waitWithin(d time.Duration, what, expr string) {
	p.t.Helper()
	poll := chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(d))
	// The page's own timeout ends the poll; the context's is the backstop.
	ctx, cancel := context.WithTimeout(p.ctx, d+time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, poll); err != nil {
		reason := err.Error()
		if errors.Is(err, chromedp.ErrPollingTimeout) || errors.Is(err, context.DeadlineExceeded) {
			reason = fmt.Sprintf("not within %v", d)
		}
		p.t.Fatalf("waiting for %s: %s\n%s", what, reason, p.shows())
	}
}

// waitText waits until the text of #id contains want.
func (p *page) waitText(id, want string) {
	p.t.Helper()
	p.waitCount(id, want, 1)
}

// waitCount waits until the text of #id contains want at least n times: a
// message that was sent and echoed shows twice in #log.
func (p *page) waitCount(id, want string, n int) {
	p.t.Helper()
	what := fmt.Sprintf("#%s to contain %q", id, want)
	if n > 1 {
		what = fmt.Sprintf("#%s to contain %q %d times", id, want, n)
	}
	p.waitFor(what, fmt.Sprintf("(e => e !== null && e.textContent.split(%s).length > %d)(%s)", jsString(want), n, byID(id)))
}

// typeInto replaces the value of input #id with s, typed as key events so that
// the page sees real input.
func (p *page) typeInto(id, s string) {
	p.t.Helper()
	clear := fmt.Sprintf(`(e => {
		if (e === null) throw new Error("no element #" + %s);
		e.value = "";
	})(%s)`, jsString(id), byID(id))
	_, err := evaluate[chromedp.Void](p, clear)
	if err == nil {
		err = p.run(actionTimeout, chromedp.SendKeys(chromedp.ID(id), s))
	}
	if err != nil {
		p.t.Fatalf("type %q into #%s: %v\n%s", s, id, err, p.shows())
	}
}

// click clicks element #id with the mouse, once it is visible.
func (p *page) click(id string) {
	p.t.Helper()
	if err := p.run(actionTimeout, chromedp.Click(chromedp.ID(id))); err != nil {
		p.t.Fatalf("click #%s: %v\n%s", id, err, p.shows())
	}
}

// choose sets select #id to value and fires its change event, as a user's
// choice does.
func (p *page) choose(id, value string) {
	p.t.Helper()
	expr := fmt.Sprintf(`(e => {
		if (e === null) throw new Error("no element #" + %[1]s);
		e.value = %[2]s;
		if (e.value !== %[2]s) throw new Error("#" + %[1]s + " has no option " + %[2]s);
		e.dispatchEvent(new Event("input", {bubbles: true}));
		e.dispatchEvent(new Event("change", {bubbles: true}));
	})(%[3]s)`, jsString(id), jsString(value), byID(id))
	if _, err := evaluate[chromedp.Void](p, expr); err != nil {
		p.t.Fatalf("choose %q in #%s: %v\n%s", value, id, err, p.shows())
	}
}

// count returns how many elements match the CSS selector.
func (p *page) count(selector string) int {
	p.t.Helper()
	n, err := evaluate[int](p, "document.querySelectorAll("+jsString(selector)+").length")
	if err != nil {
		p.t.Fatalf("count %s: %v\n%s", selector, err, p.shows())
	}
	return n
}
