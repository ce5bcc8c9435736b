package rooms

import (
	"context"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/pagetoken"
)

// Page sizes of ListRooms and of GetRoom's members.
const (
	// DefaultPageSize is ListRooms' page size when a request gives none.
	DefaultPageSize = 50
	// DefaultMemberPageSize is how many members GetRoom returns when a request gives no size.
	DefaultMemberPageSize = 100
	// MaxPageSize is the largest page of rooms or members a request may ask for.
	MaxPageSize = 1000
	maxIDLength = 1024
)

// Options configure a Service.
type Options struct {
	// Projection is the state the service reads.
	Projection *Projection
	// Ready returns nil once the projection has caught up with the log; nil
	// means always ready.
	Ready func() error
	// Authorize returns an error (PERMISSION_DENIED) when the caller may not
	// read app; nil lets every caller read every app.
	Authorize func(ctx context.Context, app uint32) error
	// Now is the clock rooms expire by; nil is time.Now.
	Now func() time.Time
}

// Service is the RoomService.
type Service struct {
	gatewayv1.UnimplementedRoomServiceServer
	opts Options
}

// NewService returns the RoomService over opts.Projection.
func NewService(opts Options) (*Service, error) {
	if opts.Projection == nil {
		return nil, errors.New("rooms: Options.Projection is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{opts: opts}, nil
}

// GetRoom returns a live room and a page of its online members.
func (s *Service) GetRoom(ctx context.Context, req *gatewayv1.GetRoomRequest) (*gatewayv1.GetRoomResponse, error) {
	if req.GetSdkAppId() == 0 {
		return nil, status.Error(codes.InvalidArgument, "sdk_app_id is required: the SdkAppid of the application the room belongs to")
	}
	if req.GetRoomId() == "" {
		return nil, status.Error(codes.InvalidArgument, "room_id is required: the RoomId of the live room, as in its callbacks")
	}
	if err := checkText("room_id", req.GetRoomId()); err != nil {
		return nil, err
	}
	size, err := pageSize("member_page_size", req.GetMemberPageSize(), DefaultMemberPageSize)
	if err != nil {
		return nil, err
	}
	if err := s.access(ctx, req.GetSdkAppId()); err != nil {
		return nil, err
	}
	fp := pagetoken.Fingerprint("room-members/v1", strconv.FormatUint(uint64(req.GetSdkAppId()), 10), req.GetRoomId())
	after, err := cursor(req.GetMemberPageToken(), fp)
	if err != nil {
		return nil, err
	}
	rm, members, more, trtc := s.opts.Projection.Room(req.GetSdkAppId(), req.GetRoomId(), s.opts.Now(), after, size)
	if rm == nil {
		return nil, status.Errorf(codes.NotFound,
			"room %q of SdkAppid %d is not live: it was destroyed, its last member went offline, it expired %s after its last event, or the event log holds no event of it",
			req.GetRoomId(), req.GetSdkAppId(), s.opts.Projection.TTL())
	}
	resp := &gatewayv1.GetRoomResponse{Room: rm, OnlineMembers: members, TrtcUsers: trtc}
	if more {
		resp.NextMemberPageToken = pagetoken.Encode(fp, []byte(members[len(members)-1]))
	}
	return resp, nil
}

// ListRooms returns a page of the live rooms of an application.
func (s *Service) ListRooms(ctx context.Context, req *gatewayv1.ListRoomsRequest) (*gatewayv1.ListRoomsResponse, error) {
	if req.GetSdkAppId() == 0 {
		return nil, status.Error(codes.InvalidArgument, "sdk_app_id is required: the SdkAppid whose live rooms to list")
	}
	size, err := pageSize("page_size", req.GetPageSize(), DefaultPageSize)
	if err != nil {
		return nil, err
	}
	if err := s.access(ctx, req.GetSdkAppId()); err != nil {
		return nil, err
	}
	fp := pagetoken.Fingerprint("rooms/v1", strconv.FormatUint(uint64(req.GetSdkAppId()), 10))
	after, err := cursor(req.GetPageToken(), fp)
	if err != nil {
		return nil, err
	}
	rooms, more, total := s.opts.Projection.Rooms(req.GetSdkAppId(), s.opts.Now(), after, size)
	resp := &gatewayv1.ListRoomsResponse{Rooms: rooms, TotalSize: int32(min(total, 1<<31-1))}
	if more {
		resp.NextPageToken = pagetoken.Encode(fp, []byte(rooms[len(rooms)-1].GetRoomId()))
	}
	return resp, nil
}

// access checks the caller's scope, then that the projection is caught up.
func (s *Service) access(ctx context.Context, app uint32) error {
	if s.opts.Authorize != nil {
		if err := s.opts.Authorize(ctx, app); err != nil {
			return err
		}
	}
	if s.opts.Ready != nil {
		if err := s.opts.Ready(); err != nil {
			return status.Errorf(codes.Unavailable, "%v; retry shortly", err)
		}
	}
	return nil
}

// pageSize checks a requested page size; 0 is def.
func pageSize(name string, n int32, def int) (int, error) {
	switch {
	case n < 0 || n > MaxPageSize:
		return 0, status.Errorf(codes.InvalidArgument, "%s=%d must be from 1 to %d (0 is %d)", name, n, MaxPageSize, def)
	case n == 0:
		return def, nil
	}
	return int(n), nil
}

// cursor decodes a page token; "" is the first page.
func cursor(token string, fp uint64) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := pagetoken.Decode(token, fp)
	if err != nil {
		return "", status.Error(codes.InvalidArgument, err.Error())
	}
	return string(b), nil
}

// checkText refuses an id no callback could carry.
func checkText(name, v string) error {
	if len(v) > maxIDLength {
		return status.Errorf(codes.InvalidArgument, "%s is %d bytes long; Tencent's ids are at most %d", name, len(v), maxIDLength)
	}
	if !utf8.ValidString(v) {
		return status.Errorf(codes.InvalidArgument, "%s is not valid UTF-8", name)
	}
	return nil
}
