// Package e2e tests each lesson's browser client in headless Chromium against
// the lesson's reference server.
//
// The package holds only tests. Each test stages a lesson with its solution,
// builds and starts the server on a free port, opens the page in a new tab and
// drives it by the element ids that the course design fixes (status, log,
// message, send, ...).
//
// A lesson's test starts its server with startLesson(t, n, flags...), opens the
// page with openPage(t, srv.URL+"/"), and drives it with the page's methods:
// waitText, waitCount and waitFor wait (under a deadline) for what the page
// shows; typeInto, click and choose act as a user; text and count read. The
// server's Signal and WaitExit check a graceful shutdown. A failure says what
// was wanted and what #status and #log showed.
//
// The tests need Chromium (`sudo apt-get install chromium` on Debian); set
// CHROMIUM to use another Chromium or Chrome binary. Without one they skip,
// except when CI=true, where a missing browser fails them.
//
//	cd tools && go test -race ./e2e/ -v
package e2e
