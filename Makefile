# Thin wrappers over the course runner. Without make, run the same commands
# with `go run ./tools/course COMMAND` (see `go run ./tools/course help`).

# The runner is built once into .bin/ (go build is instant on a warm cache) and
# run directly, so that its exit status and Ctrl-C reach make unchanged.
COURSE := .bin/course
# ADDR is where run-N and demo-N listen; ARGS go to the server (or to reset-N).
ADDR ?= 127.0.0.1:8080
ARGS ?=
# TRACE holds trace-N's own flags: -own, -latency 100ms, -rate 16k, -stall 10s, -cut-after 5s...
TRACE ?=
# URL is the echo server `make conformance` holds to the RFC 6455 cases.
URL ?= ws://$(ADDR)/ws

.DEFAULT_GOAL := help
.PHONY: help progress verify lint test bench conformance $(COURSE)

# The first build, with empty Go caches, takes a minute or more and go says
# nothing meanwhile: a line every 4 s (until the build or this shell ends)
# shows it is not a hang.
$(COURSE):
	@if [ -x $@ ]; then go build -o $@ ./tools/course; else \
		echo 'Building the course runner into $@, once (with empty Go caches it takes a minute or more)...' >&2; \
		( i=0; while sleep 4 && kill -0 $$$$ 2>/dev/null; do i=$$((i + 4)); echo "  building the course runner ($${i}s)" >&2; done ) & beat=$$!; \
		go build -o $@ ./tools/course; status=$$?; kill $$beat; \
		[ $$status -ne 0 ] || echo '  the course runner is built' >&2; exit $$status; fi

help: # one printf, so that `make help | head` ends quietly
	@printf '%s\n' \
		'Targets (N is a lesson number, e.g. make lesson-1):' \
		'  make lesson-N    run lesson N'"'"'s tests on your code; explain the first failure' \
		'  make watch-N     the same, again on every save (Ctrl-C stops)' \
		'  make hint-N      all hints of lesson N, in order' \
		'  make run-N       run your server for lesson N (ADDR=host:port, ARGS="server flags")' \
		'  make demo-N      run the reference solution'"'"'s server (ADDR, ARGS as for run-N)' \
		'  make trace-N     the reference server behind a proxy that prints every request and frame (ADDR, ARGS;' \
		'                   TRACE="-own" traces your code, TRACE="-latency 200ms -rate 16k -stall 10s -cut-after 5s" breaks the network)' \
		'  make bench       lesson 05: polling, long-polling, SSE and WebSocket measured side by side (ARGS=-own: your code)' \
		'  make conformance-N  lessons 1, 2: your server against RFC 6455 cases, reports in results/conformance (ARGS=-ref: the reference)' \
		'  make conformance    any running echo server against the same cases (URL=ws://127.0.0.1:8080/ws; ARGS="-only 6,7.2")' \
		'  make progress    tests passed in every lesson, and which lesson is next' \
		'  make reset-N     put lesson N'"'"'s starter files back from git, after a confirmation (ARGS=-yes: no question)' \
		'  make verify      check every lesson: content, starter fails, solution passes with -race, mistakes caught (ARGS=3: lesson 3 only)' \
		'  make sweep-N     authors: delete each statement of lesson N'"'"'s solution in turn, list those no test misses (ARGS="-j 2 -file hub.go -v")' \
		'  make lint        gofmt, go vet and staticcheck on every module' \
		'  make test        lint, verify and the tools'"'"' own tests (browser tests need Chromium)' \
		'They work from a lesson folder too: cd lessons/01-handshake && make lesson-1'

lesson-%: $(COURSE)
	@$(COURSE) lesson $*

watch-%: $(COURSE)
	@$(COURSE) watch $*

hint-%: $(COURSE)
	@$(COURSE) hint $*

run-%: $(COURSE)
	@$(COURSE) run $* -addr $(ADDR) -- $(ARGS)

demo-%: $(COURSE)
	@$(COURSE) demo $* -addr $(ADDR) -- $(ARGS)

trace-%: $(COURSE)
	@$(COURSE) trace $* -addr $(ADDR) $(TRACE) -- $(ARGS)

reset-%: $(COURSE)
	@$(COURSE) reset $* $(ARGS)

bench: $(COURSE)
	@$(COURSE) bench $(ARGS)

conformance-%: $(COURSE)
	@$(COURSE) conformance $* $(ARGS)

conformance: $(COURSE)
	@$(COURSE) conformance -url $(URL) $(ARGS)

progress: $(COURSE)
	@$(COURSE) progress

verify: $(COURSE)
	@$(COURSE) verify $(ARGS)

sweep-%: $(COURSE)
	@$(COURSE) sweep $* $(ARGS)

lint: $(COURSE)
	@$(COURSE) lint

test: $(COURSE)
	@$(COURSE) test
