package main

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"wscourse/tools/course/internal/term"
)

// watchTiming is how watch notices saves. Events settle for debounce before
// a run (an editor's save is often several writes); the poll beside the
// events catches file systems that send none (VM shares, WSL, Docker
// mounts), so watch never goes silent.
type watchTiming struct {
	debounce time.Duration
	poll     time.Duration
	noEvents bool // poll only; tests use it to check the poll alone
}

var defaultWatch = watchTiming{debounce: 300 * time.Millisecond, poll: time.Second}

// watchedExt are the files whose save starts a run.
var watchedExt = map[string]bool{".go": true, ".html": true, ".js": true, ".md": true}

func cmdWatch(ctx context.Context, e *env, args []string) int {
	l, rest, ok := lessonArg(e, "watch", args)
	if !ok || !noMoreArgs(e, "watch", rest) {
		return term.ExitUsage
	}
	ctx, cancel := e.interruptible(ctx)
	defer cancel()
	e.watching = true

	timing := e.watch
	if timing == (watchTiming{}) {
		timing = defaultWatch
	}
	changes := make(chan struct{}, 1)
	notify := func() {
		select {
		case changes <- struct{}{}:
		default:
		}
	}
	how := "polling every " + timing.poll.String()
	if !timing.noEvents {
		if stop, err := watchEvents(l.Dir, notify); err == nil {
			defer stop()
			how = "file events, and polling every " + timing.poll.String()
		}
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel() // stop the poll before waiting for it
	wg.Go(func() { pollChanges(ctx, l.Dir, timing.poll, notify) })

	look := func() string { return snapshot(l.Dir) }
	for {
		// The files as this run tests them: a change that leaves them so
		// (the poll seeing a save the events already ran for, events that
		// arrive during the run) is no reason to run again.
		tested := look()
		if e.terminal {
			fmt.Fprint(e.Stdout, term.ClearPage)
		}
		lessonOnce(ctx, e, l)
		if ctx.Err() != nil {
			return term.ExitOK
		}
		fmt.Fprintf(e.Stdout, "\n%s\n", e.Dim(fmt.Sprintf("Watching %s for saves (%s). Ctrl-C stops.", e.Rel(l.Dir), how)))
		if !nextChange(ctx, changes, timing.debounce, look, tested) {
			return term.ExitOK // Ctrl-C ends watch mode normally
		}
	}
}

// nextChange waits until a change has settled and look sees the files differ
// from tested. It reports false when ctx ends first.
func nextChange(ctx context.Context, changes <-chan struct{}, debounce time.Duration, look func() string, tested string) bool {
	for {
		if !waitSettled(ctx, changes, debounce) {
			return false
		}
		if look() != tested {
			return true
		}
	}
}

// waitSettled waits for a change, then until changes stop for debounce. It
// reports false when ctx ends first.
func waitSettled(ctx context.Context, changes <-chan struct{}, debounce time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-changes:
	}
	t := time.NewTimer(debounce)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-changes:
			t.Reset(debounce)
		case <-t.C:
			return true
		}
	}
}

// watchEvents subscribes to file events in dir and its folders.
func watchEvents(dir string, notify func()) (stop func(), err error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if skipDir(path, dir) {
			return filepath.SkipDir
		}
		return w.Add(path)
	})
	if err != nil {
		w.Close()
		return nil, err
	}
	go func() {
		for {
			select {
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if watchedExt[filepath.Ext(ev.Name)] {
					notify()
				}
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			}
		}
	}()
	return func() { w.Close() }, nil
}

// pollChanges compares the size and modification time of the watched files
// every interval and calls notify when they differ from the last look.
func pollChanges(ctx context.Context, dir string, interval time.Duration, notify func()) {
	last := snapshot(dir)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if now := snapshot(dir); now != last {
				last = now
				notify()
			}
		}
	}
}

// snapshot is a fingerprint of the watched files under dir.
func snapshot(dir string) string {
	var b strings.Builder
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file removed while we walk: the next look sees it
		}
		if d.IsDir() {
			if skipDir(path, dir) {
				return filepath.SkipDir
			}
			return nil
		}
		if !watchedExt[filepath.Ext(path)] {
			return nil
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}

// skipDir leaves out hidden folders and testdata (fuzz corpora grow there
// while fuzzing, which is no reason to rerun).
func skipDir(path, root string) bool {
	if path == root {
		return false
	}
	name := filepath.Base(path)
	return strings.HasPrefix(name, ".") || name == "testdata"
}
