package e2e

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// helperPage has the parts of a lesson page that the helpers drive. Its
// button echoes the input into #log, as text.
const helperPage = `<!doctype html>
<meta charset="utf-8">
<p id="status">ready</p>
<input id="message"><button id="send">Send</button>
<select id="endpoint"><option>/ws</option><option>/ws/coder</option></select>
<div id="log"></div>
<script>
const $ = id => document.getElementById(id);
$("send").onclick = () => {
	const line = document.createElement("div");
	line.textContent = "sent: " + $("message").value;
	$("log").append(line);
};
$("endpoint").onchange = () => { $("status").textContent = "endpoint " + $("endpoint").value; };
</script>`

// TestBrowserHelpers checks the page helpers on a static page, so that a
// problem with the browser shows here and not only as a lesson's failure.
func TestBrowserHelpers(t *testing.T) {
	t.Parallel()
	requireBrowser(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(helperPage))
	}))
	defer srv.Close()
	p := openPage(t, srv.URL)

	const msg = "héllo 🚀 <b>bold</b>"
	p.typeInto("message", "replaced")
	p.typeInto("message", msg) // replaces, not appends
	p.click("send")
	p.waitText("log", "sent: "+msg)
	if got := p.text("log"); got != "sent: "+msg {
		t.Errorf("#log = %q after typing %q and clicking #send; want %q", got, msg, "sent: "+msg)
	}
	if n := p.count("#log b"); n != 0 {
		t.Errorf("#log holds %d <b> elements; want 0", n)
	}

	p.choose("endpoint", "/ws/coder")
	p.waitText("status", "endpoint /ws/coder")
}
