package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// presenceTimeout bounds each call to the presence bucket.
const presenceTimeout = 2 * time.Second

// errTaken refuses a name that a member of the room holds, on any instance.
var errTaken = errors.New("name taken")

// claims is who is in which room, shared by every instance through the
// CHAT_PRESENCE bucket: the key room.name exists while name is in room. Create
// is atomic across instances, so a name is held once; this instance keeps
// the revisions of the keys it holds, refreshes them before the bucket's TTL
// ends them, and deletes them when their members leave.
type claims struct {
	nc *nats.Conn
	kv jetstream.KeyValue

	mu   sync.Mutex
	held map[string]uint64 // key: the revision this instance last wrote
}

func newClaims(b *broker) *claims {
	return &claims{nc: b.nc, kv: b.presence, held: make(map[string]uint64)}
}

// claim takes name in room for this instance and returns the revision of
// the claim, or errTaken (wrapped, with the reason for the client).
func (p *claims) claim(ctx context.Context, room, name string) (uint64, error) {
	key := presenceKey(room, name)
	ctx, cancel := context.WithTimeout(ctx, presenceTimeout)
	defer cancel()
	rev, err := p.kv.Create(ctx, key, []byte(name))
	if errors.Is(err, jetstream.ErrKeyExists) {
		return 0, fmt.Errorf("name %q is taken in room %q: %w", name, room, errTaken)
	}
	if err != nil {
		return 0, fmt.Errorf("presence unavailable: %v", err)
	}
	p.mu.Lock()
	p.held[key] = rev
	p.mu.Unlock()
	return rev, nil
}

// release gives name in room back: every instance's watcher sees the delete
// and tells its members that name left.
func (p *claims) release(room, name string) {
	key := presenceKey(room, name)
	p.mu.Lock()
	rev, ok := p.held[key]
	delete(p.held, key)
	p.mu.Unlock()
	if !ok || !p.nc.IsConnected() {
		return // with NATS gone, the key's TTL ends it
	}
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	// Only our own claim: had it expired and been taken by another, the
	// revision would differ and the delete would fail, as it should.
	p.kv.Delete(ctx, key, jetstream.LastRevision(rev))
}

// refresh rewrites every key this instance holds, every period, so that the
// bucket's TTL ends only the keys of an instance that died. It returns when
// ctx is done.
func (p *claims) refresh(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.mu.Lock()
		keys := slices.Collect(maps.Keys(p.held))
		p.mu.Unlock()
		for _, key := range keys {
			p.refreshKey(ctx, key)
		}
	}
}

// refreshKey rewrites key if this instance still holds it.
func (p *claims) refreshKey(ctx context.Context, key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rev, ok := p.held[key]
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, presenceTimeout)
	defer cancel()
	if rev, err := p.kv.Update(ctx, key, []byte(presenceName(key)), rev); err == nil {
		p.held[key] = rev
	}
}
