module wscourse/tools

go 1.26.0

require (
	github.com/chromedp/cdproto v0.159.0 // the DevTools protocol's types, for the browser tests' handling of dialogs a page opens
	github.com/chromedp/chromedp v0.23.0 // drives headless Chromium for the browser tests in e2e: pure Go, DevTools protocol over a pipe, no Node or WebDriver
	github.com/fsnotify/fsnotify v1.10.1 // file events for `course watch` on every OS (inotify, kqueue, ReadDirectoryChangesW); the runner polls beside it where events do not arrive
)

require (
	github.com/BurntSushi/toml v1.4.1-0.20240526193622-a339e1f7089c // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	golang.org/x/exp/typeparams v0.0.0-20231108232855-2478ac86f678 // indirect
	golang.org/x/mod v0.41.0 // indirect
	golang.org/x/sync v0.23.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/tools v0.51.0 // indirect
	honnef.co/go/tools v0.8.2 // indirect
)

// staticcheck for `make lint`, pinned here so every machine and CI run the same checks.
tool honnef.co/go/tools/cmd/staticcheck
