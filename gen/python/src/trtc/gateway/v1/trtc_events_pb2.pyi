from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
TRTC_ENTER_REASON_CROSS_ROOM: TrtcEnterReason
TRTC_ENTER_REASON_NETWORK_CHANGE: TrtcEnterReason
TRTC_ENTER_REASON_NORMAL: TrtcEnterReason
TRTC_ENTER_REASON_TIMEOUT_RETRY: TrtcEnterReason
TRTC_ENTER_REASON_UNSPECIFIED: TrtcEnterReason
TRTC_EXIT_REASON_CROSS_ROOM_CANCELLED: TrtcExitReason
TRTC_EXIT_REASON_FORCE_CLOSED: TrtcExitReason
TRTC_EXIT_REASON_KICKED: TrtcExitReason
TRTC_EXIT_REASON_TIMEOUT: TrtcExitReason
TRTC_EXIT_REASON_UNSPECIFIED: TrtcExitReason
TRTC_EXIT_REASON_VOLUNTARY: TrtcExitReason
TRTC_MEDIA_ID_AUX: TrtcMediaId
TRTC_MEDIA_ID_MAIN: TrtcMediaId
TRTC_MEDIA_ID_MIX: TrtcMediaId
TRTC_MEDIA_ID_UNSPECIFIED: TrtcMediaId
TRTC_ROLE_ANCHOR: TrtcRole
TRTC_ROLE_AUDIENCE: TrtcRole
TRTC_ROLE_UNSPECIFIED: TrtcRole
TRTC_STREAM_AUDIO: TrtcStream
TRTC_STREAM_SUB_STREAM: TrtcStream
TRTC_STREAM_UNSPECIFIED: TrtcStream
TRTC_STREAM_VIDEO: TrtcStream
TRTC_TERMINAL_TYPE_ANDROID: TrtcTerminalType
TRTC_TERMINAL_TYPE_IOS: TrtcTerminalType
TRTC_TERMINAL_TYPE_LINUX: TrtcTerminalType
TRTC_TERMINAL_TYPE_OTHER: TrtcTerminalType
TRTC_TERMINAL_TYPE_UNSPECIFIED: TrtcTerminalType
TRTC_TERMINAL_TYPE_WINDOWS: TrtcTerminalType
TRTC_TRACK_TYPE_AUDIO: TrtcTrackType
TRTC_TRACK_TYPE_AUDIO_VIDEO: TrtcTrackType
TRTC_TRACK_TYPE_UNSPECIFIED: TrtcTrackType
TRTC_TRACK_TYPE_VIDEO: TrtcTrackType
TRTC_USER_TYPE_MINI_PROGRAM: TrtcUserType
TRTC_USER_TYPE_NATIVE_SDK: TrtcUserType
TRTC_USER_TYPE_UNSPECIFIED: TrtcUserType
TRTC_USER_TYPE_WEBRTC: TrtcUserType

class TrtcCloudRecordingEvent(_message.Message):
    __slots__ = ["begin_time", "errmsg", "file_list", "file_message", "file_name", "file_user_id", "header", "leave_code", "payload_extra_json", "status", "task_id", "tencent_vod", "track_type", "track_type_text", "url"]
    BEGIN_TIME_FIELD_NUMBER: _ClassVar[int]
    ERRMSG_FIELD_NUMBER: _ClassVar[int]
    FILE_LIST_FIELD_NUMBER: _ClassVar[int]
    FILE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    FILE_USER_ID_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    LEAVE_CODE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    TENCENT_VOD_FIELD_NUMBER: _ClassVar[int]
    TRACK_TYPE_FIELD_NUMBER: _ClassVar[int]
    TRACK_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    begin_time: _timestamp_pb2.Timestamp
    errmsg: str
    file_list: _containers.RepeatedScalarFieldContainer[str]
    file_message: _containers.RepeatedCompositeFieldContainer[TrtcRecordingFile]
    file_name: str
    file_user_id: str
    header: TrtcEventHeader
    leave_code: int
    payload_extra_json: str
    status: int
    task_id: str
    tencent_vod: TrtcVodFile
    track_type: TrtcTrackType
    track_type_text: str
    url: str
    def __init__(self, header: _Optional[_Union[TrtcEventHeader, _Mapping]] = ..., task_id: _Optional[str] = ..., status: _Optional[int] = ..., leave_code: _Optional[int] = ..., file_list: _Optional[_Iterable[str]] = ..., file_name: _Optional[str] = ..., file_user_id: _Optional[str] = ..., track_type: _Optional[_Union[TrtcTrackType, str]] = ..., track_type_text: _Optional[str] = ..., begin_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., url: _Optional[str] = ..., file_message: _Optional[_Iterable[_Union[TrtcRecordingFile, _Mapping]]] = ..., errmsg: _Optional[str] = ..., tencent_vod: _Optional[_Union[TrtcVodFile, _Mapping]] = ..., payload_extra_json: _Optional[str] = ...) -> None: ...

class TrtcEventHeader(_message.Message):
    __slots__ = ["body_extra_json", "callback_time", "event_group_id", "event_ms_ts", "event_ts", "event_type", "extra_json", "room_id", "room_id_numeric", "user_id"]
    BODY_EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_TIME_FIELD_NUMBER: _ClassVar[int]
    EVENT_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_MS_TS_FIELD_NUMBER: _ClassVar[int]
    EVENT_TS_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_NUMERIC_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    body_extra_json: str
    callback_time: _timestamp_pb2.Timestamp
    event_group_id: int
    event_ms_ts: _timestamp_pb2.Timestamp
    event_ts: _timestamp_pb2.Timestamp
    event_type: int
    extra_json: str
    room_id: str
    room_id_numeric: bool
    user_id: str
    def __init__(self, event_group_id: _Optional[int] = ..., event_type: _Optional[int] = ..., callback_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., room_id: _Optional[str] = ..., room_id_numeric: bool = ..., event_ts: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., event_ms_ts: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., user_id: _Optional[str] = ..., extra_json: _Optional[str] = ..., body_extra_json: _Optional[str] = ...) -> None: ...

class TrtcMediaEvent(_message.Message):
    __slots__ = ["header", "reason_text", "role", "role_text", "started", "stream", "terminal_type", "terminal_type_text", "unique_id", "user_type", "user_type_text"]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    REASON_TEXT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ROLE_TEXT_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    USER_TYPE_FIELD_NUMBER: _ClassVar[int]
    USER_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    header: TrtcEventHeader
    reason_text: str
    role: TrtcRole
    role_text: str
    started: bool
    stream: TrtcStream
    terminal_type: TrtcTerminalType
    terminal_type_text: str
    unique_id: str
    user_type: TrtcUserType
    user_type_text: str
    def __init__(self, header: _Optional[_Union[TrtcEventHeader, _Mapping]] = ..., stream: _Optional[_Union[TrtcStream, str]] = ..., started: bool = ..., unique_id: _Optional[str] = ..., role: _Optional[_Union[TrtcRole, str]] = ..., role_text: _Optional[str] = ..., terminal_type: _Optional[_Union[TrtcTerminalType, str]] = ..., terminal_type_text: _Optional[str] = ..., user_type: _Optional[_Union[TrtcUserType, str]] = ..., user_type_text: _Optional[str] = ..., reason_text: _Optional[str] = ...) -> None: ...

class TrtcRecordingFile(_message.Message):
    __slots__ = ["end_time", "extra_json", "file_name", "media_id", "media_id_text", "start_time", "track_type", "track_type_text", "user_id"]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    MEDIA_ID_TEXT_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    TRACK_TYPE_FIELD_NUMBER: _ClassVar[int]
    TRACK_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    end_time: _timestamp_pb2.Timestamp
    extra_json: str
    file_name: str
    media_id: TrtcMediaId
    media_id_text: str
    start_time: _timestamp_pb2.Timestamp
    track_type: TrtcTrackType
    track_type_text: str
    user_id: str
    def __init__(self, file_name: _Optional[str] = ..., user_id: _Optional[str] = ..., track_type: _Optional[_Union[TrtcTrackType, str]] = ..., track_type_text: _Optional[str] = ..., media_id: _Optional[_Union[TrtcMediaId, str]] = ..., media_id_text: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., extra_json: _Optional[str] = ...) -> None: ...

class TrtcRoomEvent(_message.Message):
    __slots__ = ["enter_reason", "exit_reason", "header", "reason_text", "role", "role_text", "terminal_type", "terminal_type_text", "unique_id", "user_type", "user_type_text"]
    ENTER_REASON_FIELD_NUMBER: _ClassVar[int]
    EXIT_REASON_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    REASON_TEXT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ROLE_TEXT_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    USER_TYPE_FIELD_NUMBER: _ClassVar[int]
    USER_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    enter_reason: TrtcEnterReason
    exit_reason: TrtcExitReason
    header: TrtcEventHeader
    reason_text: str
    role: TrtcRole
    role_text: str
    terminal_type: TrtcTerminalType
    terminal_type_text: str
    unique_id: str
    user_type: TrtcUserType
    user_type_text: str
    def __init__(self, header: _Optional[_Union[TrtcEventHeader, _Mapping]] = ..., unique_id: _Optional[str] = ..., role: _Optional[_Union[TrtcRole, str]] = ..., role_text: _Optional[str] = ..., terminal_type: _Optional[_Union[TrtcTerminalType, str]] = ..., terminal_type_text: _Optional[str] = ..., user_type: _Optional[_Union[TrtcUserType, str]] = ..., user_type_text: _Optional[str] = ..., enter_reason: _Optional[_Union[TrtcEnterReason, str]] = ..., exit_reason: _Optional[_Union[TrtcExitReason, str]] = ..., reason_text: _Optional[str] = ...) -> None: ...

class TrtcTranscriptionEvent(_message.Message):
    __slots__ = ["header", "payload_extra_json", "robot_id", "room_id_type_text", "status", "task_id"]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    ROBOT_ID_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    header: TrtcEventHeader
    payload_extra_json: str
    robot_id: str
    room_id_type_text: str
    status: int
    task_id: str
    def __init__(self, header: _Optional[_Union[TrtcEventHeader, _Mapping]] = ..., task_id: _Optional[str] = ..., robot_id: _Optional[str] = ..., room_id_type_text: _Optional[str] = ..., status: _Optional[int] = ..., payload_extra_json: _Optional[str] = ...) -> None: ...

class TrtcVodFile(_message.Message):
    __slots__ = ["cache_file", "end_time", "extra_json", "file_id", "media_id", "media_id_text", "start_time", "track_type", "track_type_text", "user_id", "video_url"]
    CACHE_FILE_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    MEDIA_ID_TEXT_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    TRACK_TYPE_FIELD_NUMBER: _ClassVar[int]
    TRACK_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    VIDEO_URL_FIELD_NUMBER: _ClassVar[int]
    cache_file: str
    end_time: _timestamp_pb2.Timestamp
    extra_json: str
    file_id: str
    media_id: TrtcMediaId
    media_id_text: str
    start_time: _timestamp_pb2.Timestamp
    track_type: TrtcTrackType
    track_type_text: str
    user_id: str
    video_url: str
    def __init__(self, user_id: _Optional[str] = ..., track_type: _Optional[_Union[TrtcTrackType, str]] = ..., track_type_text: _Optional[str] = ..., media_id: _Optional[_Union[TrtcMediaId, str]] = ..., media_id_text: _Optional[str] = ..., file_id: _Optional[str] = ..., video_url: _Optional[str] = ..., cache_file: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., extra_json: _Optional[str] = ...) -> None: ...

class TrtcWebRecordingEvent(_message.Message):
    __slots__ = ["event_message", "header", "payload_extra_json", "status", "task_id"]
    EVENT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    event_message: str
    header: TrtcEventHeader
    payload_extra_json: str
    status: int
    task_id: str
    def __init__(self, header: _Optional[_Union[TrtcEventHeader, _Mapping]] = ..., task_id: _Optional[str] = ..., status: _Optional[int] = ..., event_message: _Optional[str] = ..., payload_extra_json: _Optional[str] = ...) -> None: ...

class TrtcRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class TrtcTerminalType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class TrtcUserType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class TrtcEnterReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class TrtcExitReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class TrtcStream(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class TrtcTrackType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class TrtcMediaId(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
