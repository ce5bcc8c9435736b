package callback

import (
	"iter"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// TRTC's own events ("family 2": room, media, cloud recording, web-page
// recording, AI transcription) come without a command in the URL: the body is
// {"EventGroupId","EventType","CallbackTs","EventInfo"} and the app is named
// by the SdkAppId header. Each known (group, type) pair is a row of commands
// with a command name of the gateway's own (TRTC.Room.EnterRoom, ...), so
// callback_commands filters, subjects and metrics treat both families alike.

// The TRTC event groups ("EventGroupId").
const (
	trtcGroupRoom          = 1
	trtcGroupMedia         = 2
	trtcGroupRecording     = 3
	trtcGroupWebRecording  = 8
	trtcGroupTranscription = 14
)

// CommandLiveCloudRecordingChanged is the family-1 command whose body is a
// cloud recording event in the family-2 shape.
const CommandLiveCloudRecordingChanged = "Live.CallbackAfterCloudRecordingChanged"

// commandLiveCloudRecordingChangedAlias is how Tencent's English page spells
// CommandLiveCloudRecordingChanged.
const commandLiveCloudRecordingChangedAlias = "Follow.CallbackAfterCloudRecordingChanged"

// trtcRow is one row of commands for a TRTC event.
func trtcRow(t gatewayv1.EventType, name string, group, event int, decode func(*topFields, *gatewayv1.Event) *fieldError) command {
	return command{typ: t, name: name, group: group, event: event, decode: decode}
}

// trtcCommands are the rows of commands for TRTC events; commands.go appends them.
var trtcCommands = []command{
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_CREATED, "TRTC.Room.CreateRoom", trtcGroupRoom, 101, decodeTRTCRoom),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_DISMISSED, "TRTC.Room.DismissRoom", trtcGroupRoom, 102, decodeTRTCRoom),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_ENTERED, "TRTC.Room.EnterRoom", trtcGroupRoom, 103, decodeTRTCRoom),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_EXITED, "TRTC.Room.ExitRoom", trtcGroupRoom, 104, decodeTRTCRoom),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_ROLE_CHANGED, "TRTC.Room.ChangeRole", trtcGroupRoom, 105, decodeTRTCRoom),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_VIDEO_STARTED, "TRTC.Media.StartVideo", trtcGroupMedia, 201, decodeTRTCMedia),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_VIDEO_STOPPED, "TRTC.Media.StopVideo", trtcGroupMedia, 202, decodeTRTCMedia),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_AUDIO_STARTED, "TRTC.Media.StartAudio", trtcGroupMedia, 203, decodeTRTCMedia),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_AUDIO_STOPPED, "TRTC.Media.StopAudio", trtcGroupMedia, 204, decodeTRTCMedia),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_SUB_STREAM_STARTED, "TRTC.Media.StartSubStream", trtcGroupMedia, 205, decodeTRTCMedia),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_SUB_STREAM_STOPPED, "TRTC.Media.StopSubStream", trtcGroupMedia, 206, decodeTRTCMedia),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_STARTED, "TRTC.Recording.RecorderStart", trtcGroupRecording, 301, decodeTRTCRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_STOPPED, "TRTC.Recording.RecorderStop", trtcGroupRecording, 302, decodeTRTCRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_UPLOAD_STARTED, "TRTC.Recording.UploadStart", trtcGroupRecording, 303, decodeTRTCRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_FILE_INFO, "TRTC.Recording.FileInfo", trtcGroupRecording, 304, decodeTRTCRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_UPLOAD_STOPPED, "TRTC.Recording.UploadStop", trtcGroupRecording, 305, decodeTRTCRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_FAILOVER, "TRTC.Recording.Failover", trtcGroupRecording, 306, decodeTRTCRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_FILE_SLICE, "TRTC.Recording.FileSlice", trtcGroupRecording, 307, decodeTRTCRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_DOWNLOAD_IMAGE_ERROR, "TRTC.Recording.DownloadImageError", trtcGroupRecording, 309, decodeTRTCRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_MP4_STOPPED, "TRTC.Recording.Mp4Stop", trtcGroupRecording, 310, decodeTRTCRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_VOD_COMMITTED, "TRTC.Recording.VodCommit", trtcGroupRecording, 311, decodeTRTCRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_VOD_STOPPED, "TRTC.Recording.VodStop", trtcGroupRecording, 312, decodeTRTCRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_WEB_RECORDING_STARTED, "TRTC.WebRecording.Start", trtcGroupWebRecording, 801, decodeTRTCWebRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_WEB_RECORDING_STOPPED, "TRTC.WebRecording.Stop", trtcGroupWebRecording, 802, decodeTRTCWebRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_WEB_RECORDING_STATUS_UPDATED, "TRTC.WebRecording.StatusUpdate", trtcGroupWebRecording, 803, decodeTRTCWebRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_WEB_RECORDING_RESOURCE_LIMITED, "TRTC.WebRecording.ResourceLimit", trtcGroupWebRecording, 804, decodeTRTCWebRecording),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_TRANSCRIPTION_STARTED, "TRTC.Transcription.Start", trtcGroupTranscription, 1401, decodeTRTCTranscription),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_TRANSCRIPTION_1402, "TRTC.Transcription.1402", trtcGroupTranscription, 1402, decodeTRTCTranscription),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_TRANSCRIPTION_1403, "TRTC.Transcription.1403", trtcGroupTranscription, 1403, decodeTRTCTranscription),
	trtcRow(gatewayv1.EventType_EVENT_TYPE_TRTC_TRANSCRIPTION_1404, "TRTC.Transcription.1404", trtcGroupTranscription, 1404, decodeTRTCTranscription),
	{
		typ: gatewayv1.EventType_EVENT_TYPE_LIVE_CLOUD_RECORDING_CHANGED, name: CommandLiveCloudRecordingChanged,
		aliases: []string{commandLiveCloudRecordingChangedAlias}, decode: decodeTRTCRecording,
	},
}

// TRTCCommandName returns the callback_command of a TRTC event with the given
// group and type: the name of its row, or TRTC.Event.<group>.<type> for a
// pair the gateway does not model.
func TRTCCommandName(group, event int) string {
	if c := commandsByEvent[[2]int{group, event}]; c != nil {
		return c.name
	}
	return "TRTC.Event." + strconv.Itoa(group) + "." + strconv.Itoa(event)
}

// IsTRTCEvent reports whether body is a TRTC event: a JSON object with a
// top-level EventGroupId member. It is how the webhook tells the two families
// apart when the URL names no command.
func IsTRTCEvent(body []byte) bool {
	start := skipSpaceBytes(body)
	if start == len(body) || body[start] != '{' || !validJSON(body) {
		return false
	}
	for key := range rawMembers(string(body[start:])) {
		if unquote(key) == "EventGroupId" {
			return true
		}
	}
	return false
}

// DecodeTRTC decodes a TRTC event body sent for sdkAppID into an Event whose
// callback_command is the name of its (EventGroupId, EventType) row. The body
// is checked as DecodeBody checks one (CodeEmptyBody, CodeInvalidUTF8,
// CodeInvalidJSON, CodeNotObject); EventGroupId and EventType must be whole
// numbers and every field read must have its documented type (CodeBadField).
// A pair the gateway does not model is accepted as EVENT_TYPE_OTHER named
// TRTC.Event.<group>.<type>, with the body kept byte for byte. Every error is
// an *Error.
func DecodeTRTC(sdkAppID uint32, body []byte, receivedAt time.Time) (*gatewayv1.Event, error) {
	if sdkAppID == 0 {
		return nil, Errorf(CodeBadQuery, "header SdkAppId must be a decimal number from 1 to 4294967295")
	}
	if err := checkBody(body); err != nil {
		return nil, err
	}
	src := string(body)
	top := readTop(src)
	if kindOf(top.eventGroupID) == kindAbsent {
		return nil, Errorf(CodeBadField, "field EventGroupId: a TRTC event names its group in EventGroupId, e.g. 1 for room events")
	}
	var r fieldReader
	group := r.code("EventGroupId", top.eventGroupID)
	event := r.code("EventType", top.eventType)
	if r.err != nil {
		return nil, r.err.toError()
	}
	g, _ := strconv.Atoi(group)
	t, _ := strconv.Atoi(event)
	name := TRTCCommandName(g, t)
	ev := &gatewayv1.Event{
		Id:              EventID(sdkAppID, name, body),
		Type:            gatewayv1.EventType_EVENT_TYPE_OTHER,
		CallbackCommand: name,
		SdkAppId:        sdkAppID,
		ReceivedAt:      timestamppb.New(receivedAt),
	}
	c := commandsByEvent[[2]int{g, t}]
	if c == nil {
		decodeTRTCOther(src, &top, ev)
		return ev, nil
	}
	ev.Type = c.typ
	if err := c.decode(&top, ev); err != nil {
		return nil, err.toError()
	}
	return ev, nil
}

// decodeTRTCOther fills ev from a TRTC event the gateway does not model: the
// body byte for byte, and best-effort routing keys from EventInfo.
func decodeTRTCOther(body string, top *topFields, ev *gatewayv1.Event) {
	ev.Payload = &gatewayv1.Event_Other{Other: &gatewayv1.OtherCallback{Json: body}}
	var roomID, userID, msTs string
	for key, raw := range members(top.eventInfo) {
		switch key {
		case "RoomId":
			roomID = raw
		case "UserId":
			userID = raw
		case "EventMsTs":
			msTs = raw
		}
	}
	ev.RoomId = looseID(roomID)
	if u := looseID(userID); u != "" {
		ev.UserAccounts = []string{u}
	}
	ev.EventTime = looseMillis(msTs)
}

// trtcTopKeys are the top-level members every TRTC body may have; others go
// to body_extra_json.
var trtcTopKeys = []string{"EventGroupId", "EventType", "CallbackTs", "EventInfo", "CallbackCommand", "EventTime"}

// eventInfo holds the raw EventInfo members the header reads.
type eventInfo struct {
	raw                                  string // the EventInfo object
	roomID, eventTs, eventMsTs, userID   string
	uniqueID, role, terminalType, reason string
	userType, taskID, payload, robotID   string
	roomIDType                           string
}

func readEventInfo(raw string) eventInfo {
	in := eventInfo{raw: raw}
	for key, v := range members(raw) {
		switch key {
		case "RoomId":
			in.roomID = v
		case "EventTs":
			in.eventTs = v
		case "EventMsTs":
			in.eventMsTs = v
		case "UserId":
			in.userID = v
		case "UniqueId":
			in.uniqueID = v
		case "Role":
			in.role = v
		case "TerminalType":
			in.terminalType = v
		case "UserType":
			in.userType = v
		case "Reason":
			in.reason = v
		case "TaskId":
			in.taskID = v
		case "Payload":
			in.payload = v
		case "RobotId":
			in.robotID = v
		case "RoomIdType":
			in.roomIDType = v
		}
	}
	return in
}

// readTRTCHeader reads the fields every TRTC event has and sets the envelope's
// event time, room and user from them. known lists the EventInfo members the
// caller models beyond the header's own; the rest go to extra_json.
func readTRTCHeader(top *topFields, ev *gatewayv1.Event, known ...string) (*gatewayv1.TrtcEventHeader, eventInfo, *fieldError) {
	var r fieldReader
	h := &gatewayv1.TrtcEventHeader{}
	if g := r.code("EventGroupId", top.eventGroupID); g != "" {
		n, _ := strconv.ParseUint(g, 10, 32)
		h.EventGroupId = uint32(n)
	}
	if t := r.code("EventType", top.eventType); t != "" {
		n, _ := strconv.ParseUint(t, 10, 32)
		h.EventType = uint32(n)
	}
	h.CallbackTime = r.looseTime("CallbackTs", top.callbackTs, milliseconds)
	obj := r.object("EventInfo", top.eventInfo)
	if r.err != nil {
		return nil, eventInfo{}, r.err
	}
	in := readEventInfo(obj)
	var ir fieldReader
	h.RoomId = ir.id("RoomId", in.roomID)
	h.RoomIdNumeric = kindOf(in.roomID) == kindNumber
	h.EventTs = ir.looseTime("EventTs", in.eventTs, seconds)
	h.EventMsTs = ir.looseTime("EventMsTs", in.eventMsTs, milliseconds)
	h.UserId = ir.id("UserId", in.userID)
	if ir.err != nil {
		return nil, eventInfo{}, ir.err.in("EventInfo")
	}
	h.ExtraJson = extraMembers(obj, append([]string{"RoomId", "EventTs", "EventMsTs", "UserId"}, known...)...)
	h.BodyExtraJson = extraMembers(top.body, trtcTopKeys...)

	ev.RoomId = h.RoomId
	if h.UserId != "" {
		ev.UserAccounts = []string{h.UserId}
	}
	switch {
	case h.EventMsTs != nil:
		ev.EventTime = h.EventMsTs
	case h.EventTs != nil:
		ev.EventTime = h.EventTs
	case ev.EventTime == nil:
		ev.EventTime = h.CallbackTime
	}
	return h, in, nil
}

// userFields are the user-describing EventInfo members of room and media events.
type userFields struct {
	uniqueID, role, terminalType, userType, reason string
}

func readUserFields(in eventInfo) (userFields, *fieldError) {
	var r fieldReader
	u := userFields{
		uniqueID:     r.id("UniqueId", in.uniqueID),
		role:         r.code("Role", in.role),
		terminalType: r.code("TerminalType", in.terminalType),
		userType:     r.code("UserType", in.userType),
		reason:       r.code("Reason", in.reason),
	}
	if r.err != nil {
		return u, r.err.in("EventInfo")
	}
	return u, nil
}

var userKeys = []string{"UniqueId", "Role", "TerminalType", "UserType", "Reason"}

// decodeTRTCRoom fills ev from a room event (101-105).
func decodeTRTCRoom(top *topFields, ev *gatewayv1.Event) *fieldError {
	h, in, err := readTRTCHeader(top, ev, userKeys...)
	if err != nil {
		return err
	}
	u, err := readUserFields(in)
	if err != nil {
		return err
	}
	room := &gatewayv1.TrtcRoomEvent{
		Header:           h,
		UniqueId:         u.uniqueID,
		Role:             trtcRoles[u.role],
		RoleText:         u.role,
		TerminalType:     trtcTerminalTypes[u.terminalType],
		TerminalTypeText: u.terminalType,
		UserType:         trtcUserTypes[u.userType],
		UserTypeText:     u.userType,
		ReasonText:       u.reason,
	}
	switch h.EventType {
	case 103:
		room.EnterReason = trtcEnterReasons[u.reason]
	case 104:
		room.ExitReason = trtcExitReasons[u.reason]
	}
	ev.Payload = &gatewayv1.Event_TrtcRoom{TrtcRoom: room}
	return nil
}

// decodeTRTCMedia fills ev from a media event (201-206).
func decodeTRTCMedia(top *topFields, ev *gatewayv1.Event) *fieldError {
	h, in, err := readTRTCHeader(top, ev, userKeys...)
	if err != nil {
		return err
	}
	u, err := readUserFields(in)
	if err != nil {
		return err
	}
	media := &gatewayv1.TrtcMediaEvent{
		Header:           h,
		Started:          h.EventType%2 == 1,
		UniqueId:         u.uniqueID,
		Role:             trtcRoles[u.role],
		RoleText:         u.role,
		TerminalType:     trtcTerminalTypes[u.terminalType],
		TerminalTypeText: u.terminalType,
		UserType:         trtcUserTypes[u.userType],
		UserTypeText:     u.userType,
		ReasonText:       u.reason,
	}
	switch h.EventType {
	case 201, 202:
		media.Stream = gatewayv1.TrtcStream_TRTC_STREAM_VIDEO
	case 203, 204:
		media.Stream = gatewayv1.TrtcStream_TRTC_STREAM_AUDIO
	case 205, 206:
		media.Stream = gatewayv1.TrtcStream_TRTC_STREAM_SUB_STREAM
	}
	ev.Payload = &gatewayv1.Event_TrtcMedia{TrtcMedia: media}
	return nil
}

// decodeTRTCRecording fills ev from a cloud recording event (301-312) or a
// Live.CallbackAfterCloudRecordingChanged body.
func decodeTRTCRecording(top *topFields, ev *gatewayv1.Event) *fieldError {
	h, in, err := readTRTCHeader(top, ev, "TaskId", "Payload")
	if err != nil {
		return err
	}
	var r fieldReader
	rec := &gatewayv1.TrtcCloudRecordingEvent{Header: h, TaskId: r.str("TaskId", in.taskID)}
	payload := r.object("Payload", in.payload)
	if r.err != nil {
		return r.err.in("EventInfo")
	}
	var p struct {
		status, leaveCode, fileList, fileName, userID, trackType string
		beginTime, url, fileMessage, errmsg, vod                 string
	}
	for key, v := range members(payload) {
		switch key {
		case "Status":
			p.status = v
		case "LeaveCode":
			p.leaveCode = v
		case "FileList":
			p.fileList = v
		case "FileName":
			p.fileName = v
		case "UserId":
			p.userID = v
		case "TrackType":
			p.trackType = v
		case "BeginTimeStamp":
			p.beginTime = v
		case "Url":
			p.url = v
		case "FileMessage":
			p.fileMessage = v
		case "Errmsg":
			p.errmsg = v
		case "TencentVod":
			p.vod = v
		}
	}
	rec.Status = r.int64p("Status", p.status)
	rec.LeaveCode = r.int64p("LeaveCode", p.leaveCode)
	rec.FileList = r.strings("FileList", p.fileList)
	rec.FileName = r.str("FileName", p.fileName)
	rec.FileUserId = r.id("UserId", p.userID)
	rec.TrackTypeText = r.str("TrackType", p.trackType)
	rec.TrackType = trtcTrackTypes.of(rec.TrackTypeText)
	rec.BeginTime = r.looseTime("BeginTimeStamp", p.beginTime, milliseconds)
	rec.Url = r.str("Url", p.url)
	rec.Errmsg = r.str("Errmsg", p.errmsg)
	files := r.array("FileMessage", p.fileMessage)
	vod := r.object("TencentVod", p.vod)
	if r.err != nil {
		return r.err.in("EventInfo.Payload")
	}
	for i, el := range elements(files) {
		if el == "" {
			continue
		}
		if kindOf(el) != kindObject {
			return wrongType("", "an object", el).inElement("FileMessage", i).in("EventInfo.Payload")
		}
		f, err := readRecordingFile(el)
		if err != nil {
			return err.inElement("FileMessage", i).in("EventInfo.Payload")
		}
		rec.FileMessage = append(rec.FileMessage, f)
	}
	if vod != "" {
		v, err := readVodFile(vod)
		if err != nil {
			return err.in("EventInfo.Payload.TencentVod")
		}
		rec.TencentVod = v
	}
	rec.PayloadExtraJson = extraMembers(payload, "Status", "LeaveCode", "FileList", "FileName", "UserId", "TrackType", "BeginTimeStamp", "Url", "FileMessage", "Errmsg", "TencentVod")

	accounts := accountList{list: ev.UserAccounts}
	accounts.add(rec.FileUserId)
	for _, f := range rec.FileMessage {
		accounts.add(f.UserId)
	}
	if rec.TencentVod != nil {
		accounts.add(rec.TencentVod.UserId)
	}
	ev.UserAccounts = accounts.list
	ev.Payload = &gatewayv1.Event_TrtcCloudRecording{TrtcCloudRecording: rec}
	return nil
}

// readRecordingFile reads one FileMessage element.
func readRecordingFile(raw string) (*gatewayv1.TrtcRecordingFile, *fieldError) {
	var name, user, track, media, start, end string
	for key, v := range members(raw) {
		switch key {
		case "FileName":
			name = v
		case "UserId":
			user = v
		case "TrackType":
			track = v
		case "MediaId":
			media = v
		case "StartTimeStamp":
			start = v
		case "EndTimeStamp":
			end = v
		}
	}
	var r fieldReader
	f := &gatewayv1.TrtcRecordingFile{
		FileName:      r.str("FileName", name),
		UserId:        r.id("UserId", user),
		TrackTypeText: r.str("TrackType", track),
		MediaIdText:   r.str("MediaId", media),
		StartTime:     r.looseTime("StartTimeStamp", start, milliseconds),
		EndTime:       r.looseTime("EndTimeStamp", end, milliseconds),
		ExtraJson:     extraMembers(raw, "FileName", "UserId", "TrackType", "MediaId", "StartTimeStamp", "EndTimeStamp"),
	}
	if r.err != nil {
		return nil, r.err
	}
	f.TrackType = trtcTrackTypes.of(f.TrackTypeText)
	f.MediaId = trtcMediaIDs.of(f.MediaIdText)
	return f, nil
}

// readVodFile reads a TencentVod object.
func readVodFile(raw string) (*gatewayv1.TrtcVodFile, *fieldError) {
	var user, track, media, fileID, url, cache, start, end string
	for key, v := range members(raw) {
		switch key {
		case "UserId":
			user = v
		case "TrackType":
			track = v
		case "MediaId":
			media = v
		case "FileId":
			fileID = v
		case "VideoUrl":
			url = v
		case "CacheFile":
			cache = v
		case "StartTimeStamp":
			start = v
		case "EndTimeStamp":
			end = v
		}
	}
	var r fieldReader
	f := &gatewayv1.TrtcVodFile{
		UserId:        r.id("UserId", user),
		TrackTypeText: r.str("TrackType", track),
		MediaIdText:   r.str("MediaId", media),
		FileId:        r.id("FileId", fileID),
		VideoUrl:      r.str("VideoUrl", url),
		CacheFile:     r.str("CacheFile", cache),
		StartTime:     r.looseTime("StartTimeStamp", start, milliseconds),
		EndTime:       r.looseTime("EndTimeStamp", end, milliseconds),
		ExtraJson:     extraMembers(raw, "UserId", "TrackType", "MediaId", "FileId", "VideoUrl", "CacheFile", "StartTimeStamp", "EndTimeStamp"),
	}
	if r.err != nil {
		return nil, r.err
	}
	f.TrackType = trtcTrackTypes.of(f.TrackTypeText)
	f.MediaId = trtcMediaIDs.of(f.MediaIdText)
	return f, nil
}

// decodeTRTCWebRecording fills ev from a web-page recording event (801-804).
func decodeTRTCWebRecording(top *topFields, ev *gatewayv1.Event) *fieldError {
	h, in, err := readTRTCHeader(top, ev, "TaskId", "Payload")
	if err != nil {
		return err
	}
	var r fieldReader
	web := &gatewayv1.TrtcWebRecordingEvent{Header: h, TaskId: r.str("TaskId", in.taskID)}
	payload := r.object("Payload", in.payload)
	if r.err != nil {
		return r.err.in("EventInfo")
	}
	var status, message string
	for key, v := range members(payload) {
		switch key {
		case "Status":
			status = v
		case "EventMessage":
			message = v
		}
	}
	web.Status = r.int64p("Status", status)
	web.EventMessage = r.str("EventMessage", message)
	if r.err != nil {
		return r.err.in("EventInfo.Payload")
	}
	web.PayloadExtraJson = extraMembers(payload, "Status", "EventMessage")
	ev.Payload = &gatewayv1.Event_TrtcWebRecording{TrtcWebRecording: web}
	return nil
}

// decodeTRTCTranscription fills ev from an AI transcription event (1401-1404).
func decodeTRTCTranscription(top *topFields, ev *gatewayv1.Event) *fieldError {
	h, in, err := readTRTCHeader(top, ev, "TaskId", "Payload", "RobotId", "RoomIdType")
	if err != nil {
		return err
	}
	var r fieldReader
	tr := &gatewayv1.TrtcTranscriptionEvent{
		Header:         h,
		TaskId:         r.str("TaskId", in.taskID),
		RobotId:        r.id("RobotId", in.robotID),
		RoomIdTypeText: r.code("RoomIdType", in.roomIDType),
	}
	payload := r.object("Payload", in.payload)
	if r.err != nil {
		return r.err.in("EventInfo")
	}
	var status string
	for key, v := range members(payload) {
		if key == "Status" {
			status = v
		}
	}
	tr.Status = r.int64p("Status", status)
	if r.err != nil {
		return r.err.in("EventInfo.Payload")
	}
	tr.PayloadExtraJson = extraMembers(payload, "Status")
	accounts := accountList{list: ev.UserAccounts}
	accounts.add(tr.RobotId)
	ev.UserAccounts = accounts.list
	ev.Payload = &gatewayv1.Event_TrtcTranscription{TrtcTranscription: tr}
	return nil
}

// The closed sets of TRTC's numeric codes, keyed by the decimal text sent.
var (
	trtcRoles = map[string]gatewayv1.TrtcRole{
		"20": gatewayv1.TrtcRole_TRTC_ROLE_ANCHOR,
		"21": gatewayv1.TrtcRole_TRTC_ROLE_AUDIENCE,
	}
	trtcTerminalTypes = map[string]gatewayv1.TrtcTerminalType{
		"1":   gatewayv1.TrtcTerminalType_TRTC_TERMINAL_TYPE_WINDOWS,
		"2":   gatewayv1.TrtcTerminalType_TRTC_TERMINAL_TYPE_ANDROID,
		"3":   gatewayv1.TrtcTerminalType_TRTC_TERMINAL_TYPE_IOS,
		"4":   gatewayv1.TrtcTerminalType_TRTC_TERMINAL_TYPE_LINUX,
		"100": gatewayv1.TrtcTerminalType_TRTC_TERMINAL_TYPE_OTHER,
	}
	trtcUserTypes = map[string]gatewayv1.TrtcUserType{
		"1": gatewayv1.TrtcUserType_TRTC_USER_TYPE_WEBRTC,
		"2": gatewayv1.TrtcUserType_TRTC_USER_TYPE_MINI_PROGRAM,
		"3": gatewayv1.TrtcUserType_TRTC_USER_TYPE_NATIVE_SDK,
	}
	trtcEnterReasons = map[string]gatewayv1.TrtcEnterReason{
		"1": gatewayv1.TrtcEnterReason_TRTC_ENTER_REASON_NORMAL,
		"2": gatewayv1.TrtcEnterReason_TRTC_ENTER_REASON_NETWORK_CHANGE,
		"3": gatewayv1.TrtcEnterReason_TRTC_ENTER_REASON_TIMEOUT_RETRY,
		"4": gatewayv1.TrtcEnterReason_TRTC_ENTER_REASON_CROSS_ROOM,
	}
	trtcExitReasons = map[string]gatewayv1.TrtcExitReason{
		"1": gatewayv1.TrtcExitReason_TRTC_EXIT_REASON_VOLUNTARY,
		"2": gatewayv1.TrtcExitReason_TRTC_EXIT_REASON_TIMEOUT,
		"3": gatewayv1.TrtcExitReason_TRTC_EXIT_REASON_KICKED,
		"4": gatewayv1.TrtcExitReason_TRTC_EXIT_REASON_CROSS_ROOM_CANCELLED,
		"5": gatewayv1.TrtcExitReason_TRTC_EXIT_REASON_FORCE_CLOSED,
	}
)

// code reads a numeric code Tencent sends as a JSON number (or, in some
// samples, a string of digits) and returns its decimal text, "" when absent.
func (r *fieldReader) code(name, raw string) string {
	if r.err != nil || raw == "" {
		return ""
	}
	text := raw
	if kindOf(raw) == kindString {
		text = unquote(raw)
	} else if kindOf(raw) != kindNumber {
		r.err = wrongType(name, "a number", raw)
		return ""
	}
	if !isDigits(text) || len(text) > 18 {
		r.err = badValue(name, "a whole number without sign or exponent", raw)
		return ""
	}
	return text
}

// int64p reads a whole number (a JSON number or a string of digits, with an
// optional minus sign); nil when absent.
func (r *fieldReader) int64p(name, raw string) *int64 {
	if r.err != nil || raw == "" {
		return nil
	}
	text := raw
	if kindOf(raw) == kindString {
		text = unquote(raw)
	} else if kindOf(raw) != kindNumber {
		r.err = wrongType(name, "a number", raw)
		return nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		r.err = badValue(name, "a whole number", raw)
		return nil
	}
	return &n
}

// looseTime reads a Unix time as unixTime does, also from a string of digits
// (Tencent's recording samples quote EventTs).
func (r *fieldReader) looseTime(name, raw string, perSecond uint64) *timestamppb.Timestamp {
	if r.err != nil || raw == "" {
		return nil
	}
	if kindOf(raw) == kindString {
		text := unquote(raw)
		if text == "" {
			return nil
		}
		if !isDigits(text) {
			r.err = badValue(name, "a whole number of Unix "+unitName(perSecond)+" in a string or a number", raw)
			return nil
		}
		raw = text
	}
	return r.unixTime(name, raw, perSecond)
}

func unitName(perSecond uint64) string {
	if perSecond == milliseconds {
		return "milliseconds"
	}
	return "seconds"
}

// strings reads a list of strings sent either as one JSON string or as an
// array of strings (FileList is one on event 304 and the other on 310).
func (r *fieldReader) strings(name, raw string) []string {
	if r.err != nil || raw == "" {
		return nil
	}
	switch kindOf(raw) {
	case kindString:
		return []string{unquote(raw)}
	case kindArray:
		out := make([]string, 0, countElements(raw))
		for i, el := range elements(raw) {
			if el == "" {
				continue
			}
			if kindOf(el) != kindString {
				r.err = wrongType("", "a string", el).inElement(name, i)
				return nil
			}
			out = append(out, unquote(el))
		}
		return out
	default:
		r.err = wrongType(name, "a string or an array of strings", raw)
		return nil
	}
}

// rawMembers yields the key token (quoted, as sent) and raw value (null kept
// as null) of each member of the JSON object raw.
func rawMembers(raw string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		if kindOf(raw) != kindObject {
			return
		}
		i := skipSpace(raw, 1)
		for i < len(raw) && raw[i] == '"' {
			keyEnd := stringEnd(raw, i)
			key := raw[i:keyEnd]
			i = skipSpace(raw, keyEnd)
			if i < len(raw) && raw[i] == ':' {
				i = skipSpace(raw, i+1)
			}
			end := valueEnd(raw, i)
			if end == i || !yield(key, raw[i:end]) {
				return
			}
			i = skipSpace(raw, end)
			if i < len(raw) && raw[i] == ',' {
				i = skipSpace(raw, i+1)
			}
		}
	}
}

// extraMembers returns the members of the JSON object raw whose keys are not
// in known, as a JSON object with keys and values byte for byte, or "" when
// there are none. It keeps what the gateway does not model, losslessly.
func extraMembers(raw string, known ...string) string {
	var b strings.Builder
	for key, v := range rawMembers(raw) {
		name := unquote(key)
		skip := false
		for _, k := range known {
			if name == k {
				skip = true
				break
			}
		}
		if skip {
			continue
		}
		if b.Len() == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(key)
		b.WriteByte(':')
		b.WriteString(v)
	}
	if b.Len() == 0 {
		return ""
	}
	b.WriteByte('}')
	return b.String()
}

var trtcTrackTypes = spellings[gatewayv1.TrtcTrackType]{
	"audio":      gatewayv1.TrtcTrackType_TRTC_TRACK_TYPE_AUDIO,
	"video":      gatewayv1.TrtcTrackType_TRTC_TRACK_TYPE_VIDEO,
	"audiovideo": gatewayv1.TrtcTrackType_TRTC_TRACK_TYPE_AUDIO_VIDEO,
}

var trtcMediaIDs = spellings[gatewayv1.TrtcMediaId]{
	"main": gatewayv1.TrtcMediaId_TRTC_MEDIA_ID_MAIN,
	"aux":  gatewayv1.TrtcMediaId_TRTC_MEDIA_ID_AUX,
	"mix":  gatewayv1.TrtcMediaId_TRTC_MEDIA_ID_MIX,
}
