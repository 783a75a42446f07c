package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The names in NATS, shared by every instance.
const (
	// streamName is the JetStream stream of every room's messages, each room
	// on its own subject, roomSubject.
	streamName    = "CHAT"
	subjectPrefix = "chat.msg."
	// presenceBucket is the key-value bucket of who is in which room: one key
	// a member, presenceKey.
	presenceBucket = "CHAT_PRESENCE"
	// holderPrefix begins the subject on which an instance answers for the
	// keys it wrote, holderPrefix and its id: outside the stream's subjects,
	// so nothing stores the questions.
	holderPrefix = "chat.holder."
)

// minPresenceTTL is the shortest -presence-ttl: JetStream ages messages out
// no sooner than this. The markers of expired keys live at least
// minMarkerTTL, which JetStream requires.
const (
	minPresenceTTL = 100 * time.Millisecond
	minMarkerTTL   = time.Second
)

// broker is one instance's handle on what the instances share.
type broker struct {
	nc       *nats.Conn
	js       jetstream.JetStream
	stream   jetstream.Stream   // CHAT: the messages, the last streamKeep of each room
	presence jetstream.KeyValue // CHAT_PRESENCE: the members
	// epoch names the life of the stream: its creation time. Ids are the
	// stream's sequence numbers, which only start over with a new stream.
	epoch string

	mu   sync.Mutex
	back chan struct{} // closed when NATS is back after a disconnection
}

// reconnected returns a channel closed when NATS is next back after a
// disconnection. Consumers recover by themselves; what a room must redo,
// it redoes then.
func (b *broker) reconnected() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.back
}

// onReconnect tells everyone waiting on reconnected.
func (b *broker) onReconnect() {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.back)
	b.back = make(chan struct{})
}

// streamKeep is how many of each room's last messages the stream keeps. A
// room follows its subject a little behind: twenty members sending the rate
// limit's burst at once put 400 messages in the stream faster than a
// consumer fetches them, and a message dropped before it is fetched is lost
// to every instance, without a word.
const streamKeep = 1000

// openBroker creates the stream and the bucket, or opens them as another
// instance created them (the same settings, so either may go first).
func openBroker(ctx context.Context, nc *nats.Conn, presenceTTL time.Duration) (*broker, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:     streamName,
		Subjects: []string{subjectPrefix + "*"},
		Storage:  jetstream.FileStorage,
		// The stream keeps each room's last streamKeep messages, the older
		// ones dropped as new ones come: far more than the historySize a
		// welcome holds, so that a burst a room's consumer has not fetched
		// yet is still there when it does.
		MaxMsgsPerSubject: streamKeep,
		Discard:           jetstream.DiscardOld,
	})
	if err != nil {
		return nil, fmt.Errorf("JetStream stream %s (does the NATS server run with -js?): %w", streamName, err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:  presenceBucket,
		History: 1,
		Storage: jetstream.FileStorage,
		// A key not refreshed for presenceTTL expires (its instance died),
		// and the marker it leaves tells every watcher, as a purge.
		TTL:            presenceTTL,
		LimitMarkerTTL: max(presenceTTL, minMarkerTTL),
	})
	if err != nil {
		return nil, fmt.Errorf("JetStream key-value bucket %s: %w", presenceBucket, err)
	}
	created := stream.CachedInfo().Created
	b := &broker{nc: nc, js: js, stream: stream, presence: kv, epoch: created.UTC().Format("20060102T150405.000000000Z"), back: make(chan struct{})}
	return b, nil
}

// token turns a room or a name into one token of a subject or a key: a '.'
// separates tokens in NATS, so it becomes '=', which names never hold.
func token(s string) string { return strings.ReplaceAll(s, ".", "=") }

// roomSubject is the subject of room's messages.
func roomSubject(room string) string { return subjectPrefix + token(room) }

// presenceKey is the key of name's membership of room.
func presenceKey(room, name string) string { return token(room) + "." + token(name) }

// presenceName is the member's name in a key of presenceKey.
func presenceName(key string) string {
	_, tok, _ := strings.Cut(key, ".")
	return strings.ReplaceAll(tok, "=", ".") // token undone
}
