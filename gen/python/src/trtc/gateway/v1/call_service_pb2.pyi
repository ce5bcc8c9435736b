from google.protobuf import timestamp_pb2 as _timestamp_pb2
from trtc.gateway.v1 import callbacks_pb2 as _callbacks_pb2
from trtc.gateway.v1 import enums_pb2 as _enums_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

CALL_MEMBER_STATE_CALLING: CallMemberState
CALL_MEMBER_STATE_INVITE_CANCELLED: CallMemberState
CALL_MEMBER_STATE_LEFT: CallMemberState
CALL_MEMBER_STATE_NOT_ANSWERED: CallMemberState
CALL_MEMBER_STATE_REJECTED: CallMemberState
CALL_MEMBER_STATE_UNSPECIFIED: CallMemberState
CALL_MEMBER_STATE_WAITING: CallMemberState
CALL_STATE_CONNECTED: CallState
CALL_STATE_ENDED: CallState
CALL_STATE_RINGING: CallState
CALL_STATE_UNSPECIFIED: CallState
DESCRIPTOR: _descriptor.FileDescriptor

class Call(_message.Message):
    __slots__ = ["call_id", "call_record", "caller_account", "chat_group_id", "coverage", "end_time", "media_type", "members", "room_id", "sdk_app_id", "start_time", "state", "timeline"]
    CALLER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_RECORD_FIELD_NUMBER: _ClassVar[int]
    CHAT_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    COVERAGE_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    SDK_APP_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    call_record: _callbacks_pb2.CallRecord
    caller_account: str
    chat_group_id: str
    coverage: Coverage
    end_time: _timestamp_pb2.Timestamp
    media_type: _enums_pb2.MediaType
    members: _containers.RepeatedCompositeFieldContainer[CallParticipant]
    room_id: str
    sdk_app_id: int
    start_time: _timestamp_pb2.Timestamp
    state: CallState
    timeline: _containers.RepeatedCompositeFieldContainer[CallTimelineEntry]
    def __init__(self, sdk_app_id: _Optional[int] = ..., call_id: _Optional[str] = ..., state: _Optional[_Union[CallState, str]] = ..., caller_account: _Optional[str] = ..., media_type: _Optional[_Union[_enums_pb2.MediaType, str]] = ..., chat_group_id: _Optional[str] = ..., room_id: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., members: _Optional[_Iterable[_Union[CallParticipant, _Mapping]]] = ..., timeline: _Optional[_Iterable[_Union[CallTimelineEntry, _Mapping]]] = ..., call_record: _Optional[_Union[_callbacks_pb2.CallRecord, _Mapping]] = ..., coverage: _Optional[_Union[Coverage, _Mapping]] = ...) -> None: ...

class CallParticipant(_message.Message):
    __slots__ = ["answer_time", "caller", "invite_time", "join_time", "last_action", "leave_time", "reject_time", "state", "user_account"]
    ANSWER_TIME_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    INVITE_TIME_FIELD_NUMBER: _ClassVar[int]
    JOIN_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ACTION_FIELD_NUMBER: _ClassVar[int]
    LEAVE_TIME_FIELD_NUMBER: _ClassVar[int]
    REJECT_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    USER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    answer_time: _timestamp_pb2.Timestamp
    caller: bool
    invite_time: _timestamp_pb2.Timestamp
    join_time: _timestamp_pb2.Timestamp
    last_action: _enums_pb2.ActionType
    leave_time: _timestamp_pb2.Timestamp
    reject_time: _timestamp_pb2.Timestamp
    state: CallMemberState
    user_account: str
    def __init__(self, user_account: _Optional[str] = ..., state: _Optional[_Union[CallMemberState, str]] = ..., last_action: _Optional[_Union[_enums_pb2.ActionType, str]] = ..., invite_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., answer_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., join_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., reject_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., leave_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., caller: bool = ...) -> None: ...

class CallTimelineEntry(_message.Message):
    __slots__ = ["action_type", "action_type_text", "event_type", "sequence", "time", "user_account"]
    ACTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    ACTION_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    USER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    action_type: _enums_pb2.ActionType
    action_type_text: str
    event_type: _enums_pb2.EventType
    sequence: int
    time: _timestamp_pb2.Timestamp
    user_account: str
    def __init__(self, sequence: _Optional[int] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., event_type: _Optional[_Union[_enums_pb2.EventType, str]] = ..., user_account: _Optional[str] = ..., action_type: _Optional[_Union[_enums_pb2.ActionType, str]] = ..., action_type_text: _Optional[str] = ...) -> None: ...

class Coverage(_message.Message):
    __slots__ = ["complete", "end_seen", "event_count", "first_sequence", "last_sequence", "start_seen"]
    COMPLETE_FIELD_NUMBER: _ClassVar[int]
    END_SEEN_FIELD_NUMBER: _ClassVar[int]
    EVENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    START_SEEN_FIELD_NUMBER: _ClassVar[int]
    complete: bool
    end_seen: bool
    event_count: int
    first_sequence: int
    last_sequence: int
    start_seen: bool
    def __init__(self, first_sequence: _Optional[int] = ..., last_sequence: _Optional[int] = ..., event_count: _Optional[int] = ..., start_seen: bool = ..., end_seen: bool = ..., complete: bool = ...) -> None: ...

class GetCallRecordRequest(_message.Message):
    __slots__ = ["call_id", "sdk_app_id"]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    SDK_APP_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    sdk_app_id: int
    def __init__(self, sdk_app_id: _Optional[int] = ..., call_id: _Optional[str] = ...) -> None: ...

class GetCallRecordResponse(_message.Message):
    __slots__ = ["call_record", "sequence"]
    CALL_RECORD_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    call_record: _callbacks_pb2.CallRecord
    sequence: int
    def __init__(self, call_record: _Optional[_Union[_callbacks_pb2.CallRecord, _Mapping]] = ..., sequence: _Optional[int] = ...) -> None: ...

class GetCallRequest(_message.Message):
    __slots__ = ["call_id", "sdk_app_id"]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    SDK_APP_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    sdk_app_id: int
    def __init__(self, sdk_app_id: _Optional[int] = ..., call_id: _Optional[str] = ...) -> None: ...

class GetCallResponse(_message.Message):
    __slots__ = ["call"]
    CALL_FIELD_NUMBER: _ClassVar[int]
    call: Call
    def __init__(self, call: _Optional[_Union[Call, _Mapping]] = ...) -> None: ...

class ListCallRecordsRequest(_message.Message):
    __slots__ = ["call_result", "call_type", "callee_account", "caller_account", "end_time", "page_size", "page_token", "room_id", "sdk_app_id", "start_time"]
    CALLEE_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    CALLER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    CALL_RESULT_FIELD_NUMBER: _ClassVar[int]
    CALL_TYPE_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    SDK_APP_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    call_result: _enums_pb2.CallResult
    call_type: _enums_pb2.CallType
    callee_account: str
    caller_account: str
    end_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    room_id: str
    sdk_app_id: int
    start_time: _timestamp_pb2.Timestamp
    def __init__(self, sdk_app_id: _Optional[int] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., call_result: _Optional[_Union[_enums_pb2.CallResult, str]] = ..., call_type: _Optional[_Union[_enums_pb2.CallType, str]] = ..., caller_account: _Optional[str] = ..., callee_account: _Optional[str] = ..., room_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCallRecordsResponse(_message.Message):
    __slots__ = ["call_records", "next_page_token", "total_size"]
    CALL_RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    call_records: _containers.RepeatedCompositeFieldContainer[_callbacks_pb2.CallRecord]
    next_page_token: str
    total_size: int
    def __init__(self, call_records: _Optional[_Iterable[_Union[_callbacks_pb2.CallRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class CallState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class CallMemberState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
