package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
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
	id string // this instance, in the value of every key it writes

	mu   sync.Mutex // guards held, never held across a call to NATS
	held map[string]*holding
}

// holding is one key this instance holds. Its mu orders the calls to NATS
// for that key, so that a refresh and the release never cross.
type holding struct {
	mu    sync.Mutex
	value []byte        // the name and a token of this claim's own
	rev   uint64        // the revision this instance last wrote
	gone  bool          // released, or lost
	lost  chan struct{} // closed when another member took the name
}

// newClaims answers on holderPrefix+id, for as long as the connection
// lives, whether this instance still holds a key.
func newClaims(b *broker) (*claims, error) {
	p := &claims{nc: b.nc, kv: b.presence, id: rand.Text(), held: make(map[string]*holding)}
	if _, err := p.nc.Subscribe(holderPrefix+p.id, p.answer); err != nil {
		return nil, fmt.Errorf("answer for claims: %w", err)
	}
	return p, nil
}

// claim takes name in room for this instance and returns the revision of
// the claim, and a channel closed if the name is lost: it expired while
// NATS could not hear this instance, and another member took it. It fails
// with errTaken (wrapped, with the reason for the client) when the name is
// held already.
func (p *claims) claim(ctx context.Context, room, name string) (uint64, <-chan struct{}, error) {
	key := presenceKey(room, name)
	taken := fmt.Errorf("name %q is taken in room %q: %w", name, room, errTaken)
	p.mu.Lock()
	_, mine := p.held[key]
	p.mu.Unlock()
	if mine {
		// A member here holds it, though its key may have expired while
		// NATS could not hear us: refresh claims it again for that member.
		return 0, nil, taken
	}
	ctx, cancel := context.WithTimeout(ctx, presenceTimeout)
	defer cancel()
	// The token tells this claim's writes from another's with the same name.
	value := []byte(name + " " + p.id + " " + rand.Text())
	rev, err := p.kv.Create(ctx, key, value)
	if errors.Is(err, jetstream.ErrKeyExists) {
		rev, err = p.takeOver(ctx, key, value)
	}
	if errors.Is(err, errTaken) {
		return 0, nil, taken
	}
	if err != nil {
		return 0, nil, fmt.Errorf("presence unavailable: %v", err)
	}
	h := &holding{value: value, rev: rev, lost: make(chan struct{})}
	p.mu.Lock()
	p.held[key] = h
	p.mu.Unlock()
	return rev, h.lost, nil
}

// release gives name in room back: every instance's watcher sees the delete
// and tells its members that name left.
func (p *claims) release(room, name string) {
	key := presenceKey(room, name)
	p.mu.Lock()
	h, ok := p.held[key]
	delete(p.held, key)
	p.mu.Unlock()
	if !ok {
		return
	}
	h.mu.Lock() // after a refresh of this key under way
	defer h.mu.Unlock()
	if h.gone {
		return
	}
	h.gone = true
	if !p.nc.IsConnected() {
		return // with NATS gone, the key's TTL ends it
	}
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	// Only our own claim: had it expired and been taken by another, the
	// revision would differ and the delete would fail, as it should.
	p.kv.Delete(ctx, key, jetstream.LastRevision(h.rev))
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
		if !p.nc.IsConnected() {
			continue // each write would wait its whole timeout
		}
		p.mu.Lock()
		keys := slices.Collect(maps.Keys(p.held))
		p.mu.Unlock()
		for _, key := range keys {
			p.refreshKey(ctx, key)
		}
	}
}

// refreshKey rewrites key if this instance still holds it. An Update
// refused for its revision is not always a name lost (see reclaim); when it
// is, the member is told through lost.
func (p *claims) refreshKey(ctx context.Context, key string) {
	p.mu.Lock()
	h, ok := p.held[key]
	p.mu.Unlock()
	if !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gone {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, presenceTimeout)
	defer cancel()
	rev, err := p.kv.Update(ctx, key, h.value, h.rev)
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		rev, err = p.reclaim(ctx, key, h)
	}
	if errors.Is(err, errTaken) {
		h.gone = true
		close(h.lost)
		p.mu.Lock()
		if p.held[key] == h {
			delete(p.held, key)
		}
		p.mu.Unlock()
		return
	}
	if err == nil {
		h.rev = rev
	}
}

// reclaim finds out why an Update of key was refused for its revision: the
// key expired while NATS could not hear this instance, for longer than the
// TTL (then Create it again); or the last write was stored but its answer
// lost with the connection (the key holds this claim's value: go on from
// its revision); or another member took the name meanwhile (errTaken).
func (p *claims) reclaim(ctx context.Context, key string, h *holding) (uint64, error) {
	e, err := p.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		rev, err := p.kv.Create(ctx, key, h.value)
		if errors.Is(err, jetstream.ErrKeyExists) {
			return 0, errTaken // taken a moment ago
		}
		return rev, err
	}
	if err != nil {
		return 0, err
	}
	if bytes.Equal(e.Value(), h.value) {
		return e.Revision(), nil
	}
	return 0, errTaken
}

// takeOver claims a key that exists if the instance that wrote it is gone:
// killed, its connection closed, it holds no subscription any more, and NATS
// answers "no responders" at once, where a TTL would keep the name taken
// for its whole length. Update with the revision read, so that of two
// joiners only one takes it. Any answer, or none in time, is a live
// holder's: errTaken.
func (p *claims) takeOver(ctx context.Context, key string, value []byte) (uint64, error) {
	e, err := p.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return p.kv.Create(ctx, key, value) // released a moment ago
	}
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(e.Value()))
	if len(fields) != 3 {
		return 0, errTaken
	}
	_, err = p.nc.RequestWithContext(ctx, holderPrefix+fields[1], e.Value())
	if !errors.Is(err, nats.ErrNoResponders) {
		return 0, errTaken
	}
	rev, err := p.kv.Update(ctx, key, value, e.Revision())
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return 0, errTaken // another joiner took it first
	}
	return rev, err
}

// answer tells an instance asking about a key this one wrote that it is
// alive, which is all the asker needs: a key it no longer holds was deleted,
// or ends with its TTL.
func (p *claims) answer(m *nats.Msg) {
	m.Respond(nil)
}
