package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/cluster"
	"wscourse/tools/internal/lesson"
)

// clusterLesson is the lesson whose run and demo start a cluster.
const clusterLesson = 6

// clusterKeys says what the keys do while a cluster runs.
const clusterKeys = "type a command and Enter: k N kills instance N (a crash), s N stops it (SIGTERM: close 1001), r N starts it again, l lists them"

// serveCluster is run-6 and demo-6 without server flags: lesson 06 as it
// runs in production, each part a process of its own (tools/internal/
// cluster): NATS, three instances on the ports after addr's, and a load
// balancer on addr that sends each connection to the first instance up.
// Typed commands stop, kill and restart instances while pages are open.
func serveCluster(ctx context.Context, e *env, cmd string, l lesson.Lesson, addr string, solution bool) int {
	b, ok := buildServer(ctx, e, cmd, l, solution)
	if !ok {
		return term.ExitFail
	}
	defer b.remove()
	natsd, out, err := lesson.BuildPackage(ctx, b.dir, "./cmd/natsd", filepath.Join(b.tmp, "natsd"))
	if err != nil {
		fmt.Fprintf(e.Stderr, "lesson %d's cmd/natsd does not build:\n%s", l.Num, out)
		return term.ExitFail
	}
	c, err := cluster.Start(cluster.Config{Chat: b.bin, NATS: natsd, Dir: b.dir, Addr: addr, Out: e.Stdout, Prepare: ownGroup})
	if err != nil {
		fmt.Fprintf(e.Stderr, "%s: %v\n", cmd, err)
		return term.ExitFail
	}
	fmt.Fprintf(e.Stderr, "%s: NATS and %d instances, each a process of its own, behind a load balancer on %s that sends each connection to the first instance up\n", cmd, c.Instances(), c.Addr())
	if e.canAsk {
		fmt.Fprintln(e.Stderr, cmd+": "+clusterKeys)
		go readClusterKeys(e.stdin, c, e.Stderr, cmd)
	}
	<-e.signals // Ctrl-C or SIGTERM: every instance closes its pages with 1001
	if err := c.Close(); err != nil {
		fmt.Fprintf(e.Stderr, "%s: %v\n", cmd, err)
		return term.ExitFail
	}
	return term.ExitOK
}

// readClusterKeys carries out the commands typed on in until in ends.
func readClusterKeys(in io.Reader, c *cluster.Cluster, w io.Writer, cmd string) {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if err := clusterCommand(c, strings.Fields(sc.Text()), w); err != nil {
			fmt.Fprintf(w, "%s: %v\n", cmd, err)
		}
	}
}

// clusterCommand carries out one typed command.
func clusterCommand(c *cluster.Cluster, f []string, w io.Writer) error {
	if len(f) == 0 {
		return nil
	}
	if f[0] == "l" && len(f) == 1 {
		for n := 1; n <= c.Instances(); n++ {
			state := "stopped"
			if c.Running(n) {
				state = "running"
			}
			fmt.Fprintf(w, "instance %d at %s: %s\n", n, c.Instance(n), state)
		}
		return nil
	}
	if len(f) != 2 || !strings.Contains("ksr", f[0]) || len(f[0]) != 1 {
		return fmt.Errorf("%q: %s", strings.Join(f, " "), clusterKeys)
	}
	n, err := strconv.Atoi(f[1])
	if err != nil || n < 1 || n > c.Instances() {
		return fmt.Errorf("%q: no instance %s; they are 1 to %d", strings.Join(f, " "), f[1], c.Instances())
	}
	switch f[0] {
	case "k":
		return c.Kill(n)
	case "s":
		return c.Stop(n)
	default:
		return c.Restart(n)
	}
}
