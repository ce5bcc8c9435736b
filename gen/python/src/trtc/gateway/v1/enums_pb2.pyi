from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

ACTION_TYPE_ANSWER: ActionType
ACTION_TYPE_CANCEL_INVITE: ActionType
ACTION_TYPE_HANGUP: ActionType
ACTION_TYPE_INVITE: ActionType
ACTION_TYPE_JOIN: ActionType
ACTION_TYPE_NOT_ANSWER: ActionType
ACTION_TYPE_OFFLINE: ActionType
ACTION_TYPE_REJECT: ActionType
ACTION_TYPE_UNSPECIFIED: ActionType
CALL_RESULT_CALL_BUSY: CallResult
CALL_RESULT_CANCEL: CallResult
CALL_RESULT_INTERRUPT: CallResult
CALL_RESULT_NORMAL_END: CallResult
CALL_RESULT_NOT_ANSWER: CallResult
CALL_RESULT_OFFLINE: CallResult
CALL_RESULT_REJECT: CallResult
CALL_RESULT_UNSPECIFIED: CallResult
CALL_TYPE_MULTI_CALL: CallType
CALL_TYPE_SINGLE_CALL: CallType
CALL_TYPE_UNSPECIFIED: CallType
DESCRIPTOR: _descriptor.FileDescriptor
EVENT_TYPE_CALL_ENDED: EventType
EVENT_TYPE_CALL_MEMBER_CHANGED: EventType
EVENT_TYPE_CALL_STARTED: EventType
EVENT_TYPE_LIVE_CLOUD_RECORDING_CHANGED: EventType
EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED: EventType
EVENT_TYPE_OTHER: EventType
EVENT_TYPE_TRTC_AUDIO_STARTED: EventType
EVENT_TYPE_TRTC_AUDIO_STOPPED: EventType
EVENT_TYPE_TRTC_RECORDING_DOWNLOAD_IMAGE_ERROR: EventType
EVENT_TYPE_TRTC_RECORDING_FAILOVER: EventType
EVENT_TYPE_TRTC_RECORDING_FILE_INFO: EventType
EVENT_TYPE_TRTC_RECORDING_FILE_SLICE: EventType
EVENT_TYPE_TRTC_RECORDING_MP4_STOPPED: EventType
EVENT_TYPE_TRTC_RECORDING_STARTED: EventType
EVENT_TYPE_TRTC_RECORDING_STOPPED: EventType
EVENT_TYPE_TRTC_RECORDING_UPLOAD_STARTED: EventType
EVENT_TYPE_TRTC_RECORDING_UPLOAD_STOPPED: EventType
EVENT_TYPE_TRTC_RECORDING_VOD_COMMITTED: EventType
EVENT_TYPE_TRTC_RECORDING_VOD_STOPPED: EventType
EVENT_TYPE_TRTC_ROOM_CREATED: EventType
EVENT_TYPE_TRTC_ROOM_DISMISSED: EventType
EVENT_TYPE_TRTC_ROOM_ENTERED: EventType
EVENT_TYPE_TRTC_ROOM_EXITED: EventType
EVENT_TYPE_TRTC_ROOM_ROLE_CHANGED: EventType
EVENT_TYPE_TRTC_SUB_STREAM_STARTED: EventType
EVENT_TYPE_TRTC_SUB_STREAM_STOPPED: EventType
EVENT_TYPE_TRTC_TRANSCRIPTION_1402: EventType
EVENT_TYPE_TRTC_TRANSCRIPTION_1403: EventType
EVENT_TYPE_TRTC_TRANSCRIPTION_1404: EventType
EVENT_TYPE_TRTC_TRANSCRIPTION_STARTED: EventType
EVENT_TYPE_TRTC_VIDEO_STARTED: EventType
EVENT_TYPE_TRTC_VIDEO_STOPPED: EventType
EVENT_TYPE_TRTC_WEB_RECORDING_RESOURCE_LIMITED: EventType
EVENT_TYPE_TRTC_WEB_RECORDING_STARTED: EventType
EVENT_TYPE_TRTC_WEB_RECORDING_STATUS_UPDATED: EventType
EVENT_TYPE_TRTC_WEB_RECORDING_STOPPED: EventType
EVENT_TYPE_UNSPECIFIED: EventType
LIVE_EVENT_CAUSE_ENTER: LiveEventCause
LIVE_EVENT_CAUSE_HEARTBEAT_INTERRUPT: LiveEventCause
LIVE_EVENT_CAUSE_HEARTBEAT_RECOVER: LiveEventCause
LIVE_EVENT_CAUSE_LEAVE: LiveEventCause
LIVE_EVENT_CAUSE_UNSPECIFIED: LiveEventCause
LIVE_EVENT_TYPE_OFFLINE: LiveEventType
LIVE_EVENT_TYPE_ONLINE: LiveEventType
LIVE_EVENT_TYPE_UNSPECIFIED: LiveEventType
MEDIA_TYPE_AUDIO: MediaType
MEDIA_TYPE_UNSPECIFIED: MediaType
MEDIA_TYPE_VIDEO: MediaType
MEMBER_STATUS_CALLING: MemberStatus
MEMBER_STATUS_UNSPECIFIED: MemberStatus
MEMBER_STATUS_WAITING: MemberStatus
ROOM_ID_TYPE_NUMERIC: RoomIdType
ROOM_ID_TYPE_STRING: RoomIdType
ROOM_ID_TYPE_UNSPECIFIED: RoomIdType

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class MemberStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ActionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class MediaType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class CallType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class CallResult(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class RoomIdType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class LiveEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class LiveEventCause(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
