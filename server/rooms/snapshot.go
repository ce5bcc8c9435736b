package rooms

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/snapwire"
)

// A snapshot is the projection's whole state as of one log sequence, so
// that a restart restores it and replays only the log after it. The TTL is
// not part of it: a restored projection expires rooms by its own.
//
// Format (version 2; version 1 lacked the end field). The header is the
// magic "trtcgw rooms\n", the format version and the sequence, each a
// uvarint. The state follows as top-level fields in protobuf wire format,
// each length-delimited; a field must come after the table entries it
// refers to, and a reader skips field numbers it does not know, so a later
// version may add fields:
//
//	1 projection: 1 flags (1 an event was applied, 2 the first one was
//	  sequence 1: rooms are complete)
//	2 battle: one entry of the battles table, a RoomBattle message (rooms
//	  in one battle share it); referred to by index from 1
//	3 room: one room, in the order of their last sequences, then of app
//	  and id (the order in which Trim and the TTL forget them)
//	15 end: the checksum of every byte before it (snapwire.EndField); a
//	  snapshot without it was cut short.
//
// A room's fields. Sequences are written back from the room's last
// sequence, which is written forward from the previous room's (unsigned,
// wrapping). Times are relative to when the last event was received (see
// snapwire.AppendTime).
//
//	1 app (varint)
//	2 room id (bytes)
//	3 last sequence − the previous room's last sequence (0 before the first)
//	4 last sequence − first sequence
//	5 events applied (varint)
//	6 last event time
//	7 last receipt time (fixed64, Unix ns; absent is 0)
//	8 flags: 1 complete, 2 created
//	9 online member (message, repeated, in account order): 1 account
//	  (bytes), 2 when it came online (time)
//	10 room info (a LiveRoomInfo message)
//	11 owner account (bytes)
//	12 admin account (bytes, repeated, in order)
//	13 metadata (message, repeated, in key order): 1 key, 2 value (bytes)
//	14 seat (a LiveSeat message, repeated, in order)
//	15 battle (battles ref)
//	16 TRTC user (message, repeated, in user id order): 1 user id (bytes),
//	   2 role (enum), 3 enter time (absent is 0), 4 publishing: 1 video,
//	   2 audio, 4 sub stream
const (
	roomsMagic   = "trtcgw rooms\n"
	roomsVersion = 2
)

// Top-level fields.
const (
	fieldProjection protowire.Number = 1
	fieldBattle     protowire.Number = 2
	fieldRoom       protowire.Number = 3
)

// Flags of the projection, of a room and of a TRTC user.
const (
	projStarted = 1 << iota
	projFromStart
)

const (
	roomComplete = 1 << iota
	roomCreated
)

const (
	pubVideo = 1 << iota
	pubAudio
	pubSub
)

// WriteSnapshot writes the projection's state as of the last event applied
// to w, and returns that event's sequence (0 when none was applied).
//
// It encodes the state into memory under the read lock, which Apply waits
// for, and writes it out after releasing the lock.
func (p *Projection) WriteSnapshot(w io.Writer) (seq uint64, err error) {
	seq, e, err := p.encodeSnapshot()
	if err != nil {
		return 0, fmt.Errorf("rooms snapshot: %w", err)
	}
	sw := snapwire.NewWriter(w)
	sw.Write(snapwire.AppendHeader(nil, roomsMagic, roomsVersion, seq))
	sw.Write(e.table)
	sw.Write(e.body)
	if err := sw.Close(); err != nil {
		return 0, fmt.Errorf("rooms snapshot: writing: %w", err)
	}
	return seq, nil
}

// roomsEncoder builds a snapshot: the battles table and the rooms in
// separate buffers, since a battle is found while its first room is encoded
// and must precede it.
type roomsEncoder struct {
	battles map[*gatewayv1.RoomBattle]uint64
	table   []byte
	body    []byte
	det     proto.MarshalOptions
}

// order is the rooms in the order the FIFO forgets them: by last sequence,
// then (for the rooms one battle event touched) by app and id.
func order(rooms map[key]*room) []*room {
	all := slices.Collect(maps.Values(rooms))
	slices.SortFunc(all, func(a, b *room) int {
		return cmp.Or(cmp.Compare(a.lastSeq, b.lastSeq), cmp.Compare(a.app, b.app), strings.Compare(a.id, b.id))
	})
	return all
}

func (e *roomsEncoder) encode(p *Projection) error {
	e.det = proto.MarshalOptions{Deterministic: true}
	var flags uint64
	if p.started {
		flags |= projStarted
	}
	if p.fromStart {
		flags |= projFromStart
	}
	b, at := snapwire.BeginMessage(e.body, fieldProjection)
	b = snapwire.AppendUint(b, 1, flags)
	e.body = snapwire.EndMessage(b, at)
	var prev uint64
	for _, r := range order(p.rooms) {
		if err := e.room(r, prev); err != nil {
			return fmt.Errorf("room %q of app %d: %w", r.id, r.app, err)
		}
		prev = r.lastSeq
	}
	return nil
}

// message appends m as field num.
func (e *roomsEncoder) message(b []byte, num protowire.Number, m proto.Message) ([]byte, error) {
	b, at := snapwire.BeginMessage(b, num)
	b, err := e.det.MarshalAppend(b, m)
	if err != nil {
		return nil, err
	}
	return snapwire.EndMessage(b, at), nil
}

// battle is b's index in the battles table, adding it.
func (e *roomsEncoder) battle(b *gatewayv1.RoomBattle) (uint64, error) {
	if i, ok := e.battles[b]; ok {
		return i, nil
	}
	t, err := e.message(e.table, fieldBattle, b)
	if err != nil {
		return 0, fmt.Errorf("battle: %w", err)
	}
	e.table = t
	i := uint64(len(e.battles) + 1)
	e.battles[b] = i
	return i, nil
}

func (e *roomsEncoder) room(r *room, prev uint64) error {
	b, at := snapwire.BeginMessage(e.body, fieldRoom)
	b = snapwire.AppendUint(b, 1, uint64(r.app))
	b = snapwire.AppendBytes(b, 2, r.id)
	b = snapwire.AppendUint(b, 3, r.lastSeq-prev)
	b = snapwire.AppendUint(b, 4, r.lastSeq-r.firstSeq)
	b = snapwire.AppendUint(b, 5, uint64(r.events))
	base := r.lastRecv
	b = snapwire.AppendTimeSet(b, 6, r.lastTime, base)
	if base != 0 {
		b = protowire.AppendFixed64(protowire.AppendTag(b, 7, protowire.Fixed64Type), uint64(base))
	}
	var flags uint64
	if r.complete {
		flags |= roomComplete
	}
	if r.created {
		flags |= roomCreated
	}
	b = snapwire.AppendUint(b, 8, flags)
	for _, a := range slices.Sorted(maps.Keys(r.online)) {
		var mat int
		b, mat = snapwire.BeginMessage(b, 9)
		b = snapwire.AppendBytes(b, 1, a)
		b = snapwire.AppendTime(b, 2, r.online[a], base)
		b = snapwire.EndMessage(b, mat)
	}
	var err error
	if r.info != nil {
		if b, err = e.message(b, 10, r.info); err != nil {
			return fmt.Errorf("room info: %w", err)
		}
	}
	if r.owner != "" {
		b = snapwire.AppendBytes(b, 11, r.owner)
	}
	for _, a := range r.admins {
		b = snapwire.AppendBytes(b, 12, a)
	}
	for _, k := range slices.Sorted(maps.Keys(r.metadata)) {
		var mat int
		b, mat = snapwire.BeginMessage(b, 13)
		b = snapwire.AppendBytes(b, 1, k)
		b = snapwire.AppendBytes(b, 2, r.metadata[k])
		b = snapwire.EndMessage(b, mat)
	}
	for _, s := range r.seats {
		if b, err = e.message(b, 14, s); err != nil {
			return fmt.Errorf("seat: %w", err)
		}
	}
	if r.battle != nil {
		i, err := e.battle(r.battle)
		if err != nil {
			return err
		}
		b = snapwire.AppendUint(b, 15, i)
	}
	for _, id := range slices.Sorted(maps.Keys(r.trtc)) {
		u := r.trtc[id]
		var uat int
		b, uat = snapwire.BeginMessage(b, 16)
		b = snapwire.AppendBytes(b, 1, id)
		b = snapwire.AppendEnum(b, 2, u.role)
		b = snapwire.AppendTimeSet(b, 3, u.enter, base)
		var pub uint64
		if u.video {
			pub |= pubVideo
		}
		if u.audio {
			pub |= pubAudio
		}
		if u.sub {
			pub |= pubSub
		}
		b = snapwire.AppendUint(b, 4, pub)
		b = snapwire.EndMessage(b, uat)
	}
	e.body = snapwire.EndMessage(b, at)
	return nil
}

// encodeSnapshot encodes the state and its sequence under the read lock.
func (p *Projection) encodeSnapshot() (uint64, *roomsEncoder, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	e := &roomsEncoder{battles: map[*gatewayv1.RoomBattle]uint64{}}
	return p.last, e, e.encode(p)
}

// ReadSnapshot replaces the state of a projection that has applied no event
// with the snapshot in r (written by WriteSnapshot of this or an older
// format version) and returns the sequence it reflects. On an error the
// projection is left as it was: empty, and usable.
func (p *Projection) ReadSnapshot(r io.Reader) (seq uint64, err error) {
	if !p.empty() {
		return 0, fmt.Errorf("rooms snapshot: %w", snapwire.ErrNotEmpty)
	}
	s := snapwire.NewStream(r)
	q, seq, err := readRooms(s, p.ttl)
	if err != nil {
		return 0, fmt.Errorf("rooms snapshot, at byte %d: %w", s.Off, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.emptyLocked() {
		return 0, fmt.Errorf("rooms snapshot: %w", snapwire.ErrNotEmpty)
	}
	p.rooms, p.byApp, p.fifo, p.fifoAt = q.rooms, q.byApp, q.fifo, 0
	p.started, p.fromStart, p.last = q.started, q.fromStart, seq
	return seq, nil
}

func (p *Projection) empty() bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.emptyLocked()
}

// emptyLocked reports whether p has applied no event.
func (p *Projection) emptyLocked() bool {
	return !p.started && len(p.rooms) == 0 && p.last == 0
}

// roomsDecoder restores a snapshot into a projection of its own.
type roomsDecoder struct {
	p       *Projection
	battles []*gatewayv1.RoomBattle
	last    uint64 // the last room's last sequence
	// Scratch lists of a room's repeated messages.
	online, meta, seats, trtc [][]byte
}

func readRooms(s *snapwire.Stream, ttl time.Duration) (*Projection, uint64, error) {
	version, seq, err := s.Header(roomsMagic)
	if err != nil {
		return nil, 0, err
	}
	if version == 0 || version > roomsVersion {
		return nil, 0, fmt.Errorf("format version %d: this gateway reads versions 1 to %d", version, roomsVersion)
	}
	s.Unended = version < 2
	d := &roomsDecoder{p: New(ttl)}
	for {
		num, body, err := s.Field()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		switch num {
		case fieldProjection:
			f := snapwire.Fields{B: body}
			for f.Next() {
				switch f.Num {
				case 1:
					flags := f.Uint()
					d.p.started, d.p.fromStart = flags&projStarted != 0, flags&projFromStart != 0
				default:
					f.Skip()
				}
			}
			err = f.Err
		case fieldBattle:
			b := &gatewayv1.RoomBattle{}
			if err = proto.Unmarshal(body, b); err != nil {
				err = fmt.Errorf("battle %d: %w", len(d.battles)+1, err)
			}
			d.battles = append(d.battles, b)
		case fieldRoom:
			if err = d.room(body); err != nil {
				err = fmt.Errorf("room %d: %w", len(d.p.fifo), err)
			}
		}
		if err != nil {
			return nil, 0, err
		}
	}
	return d.p, seq, nil
}

// ownText is b as a string of its own, failing f unless it is UTF-8.
func ownText(f *snapwire.Fields, b []byte) string {
	s, err := snapwire.Text(b)
	if err != nil {
		f.Fail(err)
	}
	return s
}

func (d *roomsDecoder) room(b []byte) error {
	r := &room{}
	var (
		id                []byte
		lastDelta, firstB uint64
		flags             uint64
		hasLastTime       bool
		battle            uint64
	)
	d.online, d.meta, d.seats, d.trtc = d.online[:0], d.meta[:0], d.seats[:0], d.trtc[:0]
	f := snapwire.Fields{B: b}
	for f.Next() {
		switch f.Num {
		case 1:
			r.app = f.Uint32("app")
		case 2:
			id = f.Bytes()
		case 3:
			lastDelta = f.Uint()
		case 4:
			firstB = f.Uint()
		case 5:
			r.events = f.Uint32("events")
		case 6:
			hasLastTime = true
			f.Skip() // read below, once the base is known
		case 7:
			r.lastRecv = int64(f.Fixed())
		case 8:
			flags = f.Uint()
		case 9:
			d.online = append(d.online, f.Bytes())
		case 10:
			r.info = &gatewayv1.LiveRoomInfo{}
			if err := proto.Unmarshal(f.Bytes(), r.info); err != nil {
				f.Fail(fmt.Errorf("room info: %w", err))
			}
		case 11:
			r.owner = ownText(&f, f.Bytes())
		case 12:
			r.admins = append(r.admins, ownText(&f, f.Bytes()))
		case 13:
			d.meta = append(d.meta, f.Bytes())
		case 14:
			d.seats = append(d.seats, f.Bytes())
		case 15:
			battle = f.Uint()
		case 16:
			d.trtc = append(d.trtc, f.Bytes())
		default:
			f.Skip()
		}
	}
	if f.Err != nil {
		return f.Err
	}
	base := r.lastRecv
	if hasLastTime {
		f = snapwire.Fields{B: b}
		for f.Next() {
			if f.Num == 6 {
				r.lastTime = f.Time(base)
			} else {
				f.Skip()
			}
		}
		if f.Err != nil {
			return f.Err
		}
	}
	if len(id) == 0 {
		return errors.New("a room without an id")
	}
	var err error
	if r.id, err = snapwire.Text(id); err != nil {
		return fmt.Errorf("room id: %w", err)
	}
	r.lastSeq = d.last + lastDelta
	r.firstSeq = r.lastSeq - firstB
	d.last = r.lastSeq
	r.complete, r.created = flags&roomComplete != 0, flags&roomCreated != 0
	if _, dup := d.p.rooms[r.key]; dup {
		return fmt.Errorf("room %q of app %d twice", r.id, r.app)
	}
	r.online = make(map[string]int64, len(d.online))
	for i, m := range d.online {
		var (
			account []byte
			since   int64
		)
		f := snapwire.Fields{B: m}
		for f.Next() {
			switch f.Num {
			case 1:
				account = f.Bytes()
			case 2:
				since = f.Time(base)
			default:
				f.Skip()
			}
		}
		if f.Err != nil {
			return fmt.Errorf("online member %d: %w", i, f.Err)
		}
		a, err := snapwire.Text(account)
		if err != nil {
			return fmt.Errorf("online member %d: %w", i, err)
		}
		r.online[a] = since
	}
	if len(d.meta) > 0 {
		r.metadata = make(map[string]string, len(d.meta))
	}
	for i, m := range d.meta {
		var k, v []byte
		f := snapwire.Fields{B: m}
		for f.Next() {
			switch f.Num {
			case 1:
				k = f.Bytes()
			case 2:
				v = f.Bytes()
			default:
				f.Skip()
			}
		}
		if f.Err != nil {
			return fmt.Errorf("metadata %d: %w", i, f.Err)
		}
		ks, err := snapwire.Text(k)
		if err == nil {
			var vs string
			if vs, err = snapwire.Text(v); err == nil {
				r.metadata[ks] = vs
			}
		}
		if err != nil {
			return fmt.Errorf("metadata %d: %w", i, err)
		}
	}
	if len(d.seats) > 0 {
		r.seats = make([]*gatewayv1.LiveSeat, len(d.seats))
		for i, m := range d.seats {
			r.seats[i] = &gatewayv1.LiveSeat{}
			if err := proto.Unmarshal(m, r.seats[i]); err != nil {
				return fmt.Errorf("seat %d: %w", i, err)
			}
		}
	}
	if battle > uint64(len(d.battles)) {
		return fmt.Errorf("battle %d of a table of %d", battle, len(d.battles))
	}
	if battle > 0 {
		r.battle = d.battles[battle-1]
	}
	if len(d.trtc) > 0 {
		r.trtc = make(map[string]*trtcUser, len(d.trtc))
	}
	for i, m := range d.trtc {
		var (
			id  []byte
			pub uint64
			u   = &trtcUser{}
		)
		f := snapwire.Fields{B: m}
		for f.Next() {
			switch f.Num {
			case 1:
				id = f.Bytes()
			case 2:
				u.role = gatewayv1.TrtcRole(f.Enum())
			case 3:
				u.enter = f.Time(base)
			case 4:
				pub = f.Uint()
			default:
				f.Skip()
			}
		}
		if f.Err != nil {
			return fmt.Errorf("TRTC user %d: %w", i, f.Err)
		}
		u.video, u.audio, u.sub = pub&pubVideo != 0, pub&pubAudio != 0, pub&pubSub != 0
		uid, err := snapwire.Text(id)
		if err != nil {
			return fmt.Errorf("TRTC user %d: %w", i, err)
		}
		r.trtc[uid] = u
	}
	d.p.put(r)
	d.p.fifo = append(d.p.fifo, retained{seq: r.lastSeq, key: r.key})
	return nil
}
