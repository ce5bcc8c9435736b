// Package snapwire is the wire format the projections' snapshots share: a
// header (magic, format version, log sequence) and a stream of
// length-delimited top-level fields in protobuf wire format, read one at a
// time (a snapshot of a million calls is hundreds of megabytes, which need
// not sit in memory at once), and the helpers that write and read one
// message's fields, with a compact exact encoding of times.
package snapwire

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// MaxField bounds one top-level field of a snapshot: a call with a callee list
// of a megabyte stays far below it, a corrupt length far above.
const MaxField = 1 << 30

// EndField is the top-level field that ends every snapshot: 1 the CRC-32C
// (Castagnoli) of every byte before it, magic included (fixed32). A
// snapshot cut short, even between two fields, lacks it; a corrupt one
// fails its checksum.
const EndField protowire.Number = 15

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Stream reads a snapshot's header and top-level fields, counting the bytes
// read so that an error can say where it is, and checks its end.
type Stream struct {
	r     *bufio.Reader
	Off   int64 // bytes read so far
	buf   []byte
	crc   uint32 // of the bytes read so far
	ended bool   // the end field was read
	one   [1]byte
	// Unended accepts a snapshot without an end field: those of format
	// versions before the end field was added.
	Unended bool
}

// NewStream reads a snapshot from r.
func NewStream(r io.Reader) *Stream {
	return &Stream{r: bufio.NewReaderSize(r, 1<<16)}
}

// ReadByte makes the stream an io.ByteReader for binary.ReadUvarint.
func (s *Stream) ReadByte() (byte, error) {
	b, err := s.r.ReadByte()
	if err == nil {
		s.Off++
		s.one[0] = b // not a local array: it would escape to the heap
		s.crc = crc32.Update(s.crc, castagnoli, s.one[:])
	}
	return b, err
}

// Header reads the magic, the format version and the sequence.
func (s *Stream) Header(magic string) (version, seq uint64, err error) {
	got := make([]byte, len(magic))
	n, err := io.ReadFull(s.r, got)
	s.Off += int64(n)
	s.crc = crc32.Update(s.crc, castagnoli, got[:n])
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

// Field reads the next top-level field, which must be length-delimited; it
// returns io.EOF after the end field, which it checks itself. The body is
// valid until the next call.
func (s *Stream) Field() (num protowire.Number, body []byte, err error) {
	if _, err := s.r.Peek(1); err == io.EOF {
		if !s.ended && !s.Unended {
			return 0, nil, errors.New("the snapshot stops before its end field: it was cut short")
		}
		return 0, nil, io.EOF
	}
	if s.ended {
		return 0, nil, errors.New("bytes follow the end field")
	}
	before := s.crc
	num, body, err = s.field()
	if err != nil || num != EndField {
		return num, body, err
	}
	f := Fields{B: body}
	var sum uint32
	for f.Next() {
		if f.Num == 1 && f.want(protowire.Fixed32Type) {
			v, n := protowire.ConsumeFixed32(f.B)
			if n < 0 {
				f.Fail(protowire.ParseError(n))
				break
			}
			f.B, sum = f.B[n:], v
		} else {
			f.Skip()
		}
	}
	if f.Err != nil {
		return 0, nil, fmt.Errorf("end field: %w", f.Err)
	}
	if sum != before {
		return 0, nil, fmt.Errorf("checksum %08x, but the bytes before the end make %08x: the snapshot is corrupt", sum, before)
	}
	s.ended = true
	return s.Field()
}

func (s *Stream) field() (num protowire.Number, body []byte, err error) {
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
	if n > MaxField {
		return 0, nil, fmt.Errorf("field %d claims %d bytes, more than the %d a field may hold", num, n, MaxField)
	}
	// Grow the buffer as the bytes arrive, so that a corrupt length cannot
	// make it allocate what the input does not hold.
	s.buf = s.buf[:0]
	for uint64(len(s.buf)) < n {
		chunk := min(n-uint64(len(s.buf)), uint64(max(len(s.buf), 1<<16)))
		at := len(s.buf)
		s.buf = append(s.buf, make([]byte, chunk)...)
		got, err := io.ReadFull(s.r, s.buf[at:])
		s.Off += int64(got)
		s.crc = crc32.Update(s.crc, castagnoli, s.buf[at:at+got])
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

// Fields reads the fields of one message in protobuf wire format. Errors are
// sticky: after one, next reports false and err says what went wrong.
type Fields struct {
	B   []byte           // the fields not read yet
	Num protowire.Number // the current field's number
	Typ protowire.Type   // and wire type
	Err error
}

// Next reads the next field's tag.
func (f *Fields) Next() bool {
	if f.Err != nil || len(f.B) == 0 {
		return false
	}
	if c := f.B[0]; c < 0x80 && c >= 1<<3 { // a one-byte tag: fields 1 to 15
		f.B, f.Num, f.Typ = f.B[1:], protowire.Number(c>>3), protowire.Type(c&7)
		return true
	}
	num, typ, n := protowire.ConsumeTag(f.B)
	if n < 0 {
		f.Err = fmt.Errorf("reading a tag: %w", protowire.ParseError(n))
		return false
	}
	f.B, f.Num, f.Typ = f.B[n:], num, typ
	return true
}

// Fail records err as the field's error, unless one is recorded.
func (f *Fields) Fail(err error) {
	if f.Err == nil {
		f.Err = fmt.Errorf("field %d: %w", f.Num, err)
	}
}

// want checks the field's wire type.
func (f *Fields) want(t protowire.Type) bool {
	if f.Typ != t {
		f.Fail(fmt.Errorf("wire type %d, want %d", f.Typ, t))
		return false
	}
	return true
}

// Uint32 reads a varint field that must fit a uint32; what names it in
// the error otherwise.
func (f *Fields) Uint32(what string) uint32 {
	v := f.Uint()
	if v > math.MaxUint32 {
		f.Fail(fmt.Errorf("%s %d is not a uint32", what, v))
		return 0
	}
	return uint32(v)
}

// Uint reads a varint field.
func (f *Fields) Uint() uint64 {
	if !f.want(protowire.VarintType) {
		return 0
	}
	if len(f.B) > 0 && f.B[0] < 0x80 { // a one-byte varint: most are
		v := f.B[0]
		f.B = f.B[1:]
		return uint64(v)
	}
	v, n := protowire.ConsumeVarint(f.B)
	if n < 0 {
		f.Fail(protowire.ParseError(n))
		return 0
	}
	f.B = f.B[n:]
	return v
}

// Enum reads a varint field holding an enum value (an int32).
func (f *Fields) Enum() int32 { return int32(f.Uint()) }

// Fixed reads a fixed64 field.
func (f *Fields) Fixed() uint64 {
	if !f.want(protowire.Fixed64Type) {
		return 0
	}
	v, n := protowire.ConsumeFixed64(f.B)
	if n < 0 {
		f.Fail(protowire.ParseError(n))
		return 0
	}
	f.B = f.B[n:]
	return v
}

// Bytes reads a length-delimited field; the result points into the input.
func (f *Fields) Bytes() []byte {
	if !f.want(protowire.BytesType) {
		return nil
	}
	v, n := protowire.ConsumeBytes(f.B)
	if n < 0 {
		f.Fail(protowire.ParseError(n))
		return nil
	}
	f.B = f.B[n:]
	return v
}

// Skip passes over a field this version does not know: a later version's.
func (f *Fields) Skip() {
	n := protowire.ConsumeFieldValue(f.Num, f.Typ, f.B)
	if n < 0 {
		f.Fail(protowire.ParseError(n))
		return
	}
	f.B = f.B[n:]
}

// Times are written relative to a base (the call's start time) in whichever
// form is shortest and exact: a varint of zigzag(d/1e6)<<1|1 when the
// difference d is whole milliseconds (Tencent's times are), a varint of
// zigzag(d)<<1 when it fits, else the time itself as fixed64. The
// arithmetic wraps, so every int64 comes back as it was.

// AppendTime appends time t as field num.
func AppendTime(b []byte, num protowire.Number, t, base int64) []byte {
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

// AppendTimeSet appends time t as field num unless it is 0 (unknown).
func AppendTimeSet(b []byte, num protowire.Number, t, base int64) []byte {
	if t == 0 {
		return b
	}
	return AppendTime(b, num, t, base)
}

// Time reads a field written by AppendTime.
func (f *Fields) Time(base int64) int64 {
	if f.Typ == protowire.Fixed64Type {
		return int64(f.Fixed())
	}
	v := f.Uint()
	if v&1 != 0 {
		return base + protowire.DecodeZigZag(v>>1)*1e6
	}
	return base + protowire.DecodeZigZag(v>>1)
}

// AppendUint appends varint field num unless v is 0.
func AppendUint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

// AppendEnum appends enum field num unless v is 0; a negative value takes
// ten bytes, as in protobuf.
func AppendEnum[E ~int32](b []byte, num protowire.Number, v E) []byte {
	return AppendUint(b, num, uint64(int64(v)))
}

// AppendBytes appends length-delimited field num.
func AppendBytes[S string | []byte](b []byte, num protowire.Number, v S) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(len(v)))
	return append(b, v...)
}

// BeginMessage appends field num's tag and room for its length, and returns
// where the message starts; EndMessage fills the length in. A length under
// 128 bytes takes one byte; a longer message moves its bytes once.
func BeginMessage(b []byte, num protowire.Number) ([]byte, int) {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return append(b, 0), len(b) + 1
}

func EndMessage(b []byte, at int) []byte {
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

// ErrNotEmpty is ReadSnapshot's answer on a projection that holds state.
var ErrNotEmpty = errors.New("the projection has applied events already: a snapshot restores only an empty one")

// AppendFixeds appends vs as packed fixed64 field num.
func AppendFixeds(b []byte, num protowire.Number, vs []uint64) []byte {
	b = protowire.AppendVarint(protowire.AppendTag(b, num, protowire.BytesType), uint64(8*len(vs)))
	for _, v := range vs {
		b = protowire.AppendFixed64(b, v)
	}
	return b
}

// AppendHeader appends a snapshot's header.
func AppendHeader(b []byte, magic string, version, seq uint64) []byte {
	return protowire.AppendVarint(protowire.AppendVarint(append(b, magic...), version), seq)
}

// Writer writes a snapshot, keeping the checksum its end field carries.
// It keeps the first error of w, which Close returns.
type Writer struct {
	w   *bufio.Writer
	crc uint32
}

// NewWriter writes a snapshot to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 1<<16)}
}

// Write writes b.
func (w *Writer) Write(b []byte) {
	w.crc = crc32.Update(w.crc, castagnoli, b)
	w.w.Write(b)
}

// Close writes the end field and flushes; it returns the first error of
// the underlying writer.
func (w *Writer) Close() error {
	w.w.Write(AppendEnd(nil, w.crc))
	return w.w.Flush()
}

// AppendEnd appends the end field of a snapshot whose bytes before it have
// checksum crc.
func AppendEnd(b []byte, crc uint32) []byte {
	b, at := BeginMessage(b, EndField)
	b = protowire.AppendTag(b, 1, protowire.Fixed32Type)
	b = protowire.AppendFixed32(b, crc)
	return EndMessage(b, at)
}

// Seal appends the end field to the snapshot bytes b (for tests that make
// snapshots of their own).
func Seal(b []byte) []byte {
	return AppendEnd(b, crc32.Checksum(b, castagnoli))
}

// Text returns b as a string of its own, unless it is not UTF-8, which no
// string of the gateway's is (the API could not send it).
func Text(b []byte) (string, error) {
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%q is not UTF-8", b)
	}
	return string(b), nil
}
