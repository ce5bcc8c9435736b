package calls

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
)

// This file holds the snapshot's wire helpers: a stream of length-delimited
// top-level fields read one at a time (a snapshot of a million calls is
// hundreds of megabytes, which need not sit in memory at once), and a reader
// of one message's fields in protobuf wire format.

// maxField bounds one top-level field of a snapshot: a call with a callee list
// of a megabyte stays far below it, a corrupt length far above.
const maxField = 1 << 30

// stream reads a snapshot's header and top-level fields, counting the bytes
// read so that an error can say where it is.
type stream struct {
	r   *bufio.Reader
	off int64
	buf []byte
}

func newStream(r io.Reader) *stream {
	return &stream{r: bufio.NewReaderSize(r, 1<<16)}
}

// ReadByte makes the stream an io.ByteReader for binary.ReadUvarint.
func (s *stream) ReadByte() (byte, error) {
	b, err := s.r.ReadByte()
	if err == nil {
		s.off++
	}
	return b, err
}

// header reads the magic, the format version and the sequence.
func (s *stream) header(magic string) (version, seq uint64, err error) {
	got := make([]byte, len(magic))
	n, err := io.ReadFull(s.r, got)
	s.off += int64(n)
	if err != nil {
		return 0, 0, fmt.Errorf("reading the magic: %w", eof(err))
	}
	if string(got) != magic {
		return 0, 0, fmt.Errorf("magic %q is not %q: not a snapshot of this projection", got, magic)
	}
	if version, err = binary.ReadUvarint(s); err != nil {
		return 0, 0, fmt.Errorf("reading the format version: %w", eof(err))
	}
	if seq, err = binary.ReadUvarint(s); err != nil {
		return 0, 0, fmt.Errorf("reading the sequence: %w", eof(err))
	}
	return version, seq, nil
}

// field reads the next top-level field, which must be length-delimited; it
// returns io.EOF at the end of the snapshot. The body is valid until the
// next call.
func (s *stream) field() (num protowire.Number, body []byte, err error) {
	if _, err := s.r.Peek(1); err == io.EOF {
		return 0, nil, io.EOF
	}
	tag, err := binary.ReadUvarint(s)
	if err != nil {
		return 0, nil, fmt.Errorf("reading a field tag: %w", eof(err))
	}
	num, typ := protowire.DecodeTag(tag)
	if num < protowire.MinValidNumber || num > protowire.MaxValidNumber || typ != protowire.BytesType {
		return 0, nil, fmt.Errorf("top-level field %d has wire type %d, want %d (length-delimited)", num, typ, protowire.BytesType)
	}
	n, err := binary.ReadUvarint(s)
	if err != nil {
		return 0, nil, fmt.Errorf("reading field %d's length: %w", num, eof(err))
	}
	if n > maxField {
		return 0, nil, fmt.Errorf("field %d claims %d bytes, more than the %d a field may hold", num, n, maxField)
	}
	// Grow the buffer as the bytes arrive, so that a corrupt length cannot
	// make it allocate what the input does not hold.
	s.buf = s.buf[:0]
	for uint64(len(s.buf)) < n {
		chunk := min(n-uint64(len(s.buf)), uint64(max(len(s.buf), 1<<16)))
		at := len(s.buf)
		s.buf = append(s.buf, make([]byte, chunk)...)
		got, err := io.ReadFull(s.r, s.buf[at:])
		s.off += int64(got)
		if err != nil {
			return 0, nil, fmt.Errorf("reading field %d's %d bytes: %w", num, n, eof(err))
		}
	}
	return num, s.buf, nil
}

// eof turns an end of input inside a value into io.ErrUnexpectedEOF.
func eof(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// fields reads the fields of one message in protobuf wire format. Errors are
// sticky: after one, next reports false and err says what went wrong.
type fields struct {
	b   []byte
	num protowire.Number
	typ protowire.Type
	err error
}

// next reads the next field's tag.
func (f *fields) next() bool {
	if f.err != nil || len(f.b) == 0 {
		return false
	}
	num, typ, n := protowire.ConsumeTag(f.b)
	if n < 0 {
		f.err = fmt.Errorf("reading a tag: %w", protowire.ParseError(n))
		return false
	}
	f.b, f.num, f.typ = f.b[n:], num, typ
	return true
}

// fail records err as the field's error, unless one is recorded.
func (f *fields) fail(err error) {
	if f.err == nil {
		f.err = fmt.Errorf("field %d: %w", f.num, err)
	}
}

// want checks the field's wire type.
func (f *fields) want(t protowire.Type) bool {
	if f.typ != t {
		f.fail(fmt.Errorf("wire type %d, want %d", f.typ, t))
		return false
	}
	return true
}

// uint reads a varint field.
func (f *fields) uint() uint64 {
	if !f.want(protowire.VarintType) {
		return 0
	}
	v, n := protowire.ConsumeVarint(f.b)
	if n < 0 {
		f.fail(protowire.ParseError(n))
		return 0
	}
	f.b = f.b[n:]
	return v
}

// enum reads a varint field holding an enum value (an int32).
func (f *fields) enum() int32 { return int32(f.uint()) }

// fixed reads a fixed64 field.
func (f *fields) fixed() uint64 {
	if !f.want(protowire.Fixed64Type) {
		return 0
	}
	v, n := protowire.ConsumeFixed64(f.b)
	if n < 0 {
		f.fail(protowire.ParseError(n))
		return 0
	}
	f.b = f.b[n:]
	return v
}

// bytes reads a length-delimited field; the result points into the input.
func (f *fields) bytes() []byte {
	if !f.want(protowire.BytesType) {
		return nil
	}
	v, n := protowire.ConsumeBytes(f.b)
	if n < 0 {
		f.fail(protowire.ParseError(n))
		return nil
	}
	f.b = f.b[n:]
	return v
}

// skip passes over a field this version does not know: a later version's.
func (f *fields) skip() {
	n := protowire.ConsumeFieldValue(f.num, f.typ, f.b)
	if n < 0 {
		f.fail(protowire.ParseError(n))
		return
	}
	f.b = f.b[n:]
}

// Times are written relative to a base (the call's start time) in whichever
// form is shortest and exact: a varint of zigzag(d/1e6)<<1|1 when the
// difference d is whole milliseconds (Tencent's times are), a varint of
// zigzag(d)<<1 when it fits, else the time itself as fixed64. The
// arithmetic wraps, so every int64 comes back as it was.

// appendTime appends time t as field num.
func appendTime(b []byte, num protowire.Number, t, base int64) []byte {
	d := t - base
	if d%1e6 == 0 {
		b = protowire.AppendTag(b, num, protowire.VarintType)
		return protowire.AppendVarint(b, protowire.EncodeZigZag(d/1e6)<<1|1)
	}
	if z := protowire.EncodeZigZag(d); z < 1<<63 {
		b = protowire.AppendTag(b, num, protowire.VarintType)
		return protowire.AppendVarint(b, z<<1)
	}
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, uint64(t))
}

// appendTimeSet appends time t as field num unless it is 0 (unknown).
func appendTimeSet(b []byte, num protowire.Number, t, base int64) []byte {
	if t == 0 {
		return b
	}
	return appendTime(b, num, t, base)
}

// time reads a field written by appendTime.
func (f *fields) time(base int64) int64 {
	if f.typ == protowire.Fixed64Type {
		return int64(f.fixed())
	}
	v := f.uint()
	if v&1 != 0 {
		return base + protowire.DecodeZigZag(v>>1)*1e6
	}
	return base + protowire.DecodeZigZag(v>>1)
}

// appendUint appends varint field num unless v is 0.
func appendUint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

// appendEnum appends enum field num unless v is 0; a negative value takes
// ten bytes, as in protobuf.
func appendEnum[E ~int32](b []byte, num protowire.Number, v E) []byte {
	return appendUint(b, num, uint64(int64(v)))
}

// appendBytes appends length-delimited field num.
func appendBytes[S string | []byte](b []byte, num protowire.Number, v S) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(len(v)))
	return append(b, v...)
}

// beginMessage appends field num's tag and room for its length, and returns
// where the message starts; endMessage fills the length in. A length under
// 128 bytes takes one byte; a longer message moves its bytes once.
func beginMessage(b []byte, num protowire.Number) ([]byte, int) {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return append(b, 0), len(b) + 1
}

func endMessage(b []byte, at int) []byte {
	n := len(b) - at
	if n < 0x80 {
		b[at-1] = byte(n)
		return b
	}
	size := protowire.SizeVarint(uint64(n))
	b = append(b, make([]byte, size-1)...)
	copy(b[at+size-1:], b[at:at+n])
	protowire.AppendVarint(b[:at-1], uint64(n))
	return b
}

// errNotEmpty is ReadSnapshot's answer on a projection that holds state.
var errNotEmpty = errors.New("the projection has applied events already: a snapshot restores only an empty one")
