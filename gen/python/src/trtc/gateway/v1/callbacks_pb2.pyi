from google.protobuf import timestamp_pb2 as _timestamp_pb2
from trtc.gateway.v1 import enums_pb2 as _enums_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CallEnded(_message.Message):
    __slots__ = ["call_record"]
    CALL_RECORD_FIELD_NUMBER: _ClassVar[int]
    call_record: CallRecord
    def __init__(self, call_record: _Optional[_Union[CallRecord, _Mapping]] = ...) -> None: ...

class CallInfo(_message.Message):
    __slots__ = ["call_id", "chat_group_id", "media_type", "media_type_text", "room_id", "room_id_type", "room_id_type_text"]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CHAT_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_TYPE_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    chat_group_id: str
    media_type: _enums_pb2.MediaType
    media_type_text: str
    room_id: str
    room_id_type: _enums_pb2.RoomIdType
    room_id_type_text: str
    def __init__(self, call_id: _Optional[str] = ..., media_type: _Optional[_Union[_enums_pb2.MediaType, str]] = ..., media_type_text: _Optional[str] = ..., chat_group_id: _Optional[str] = ..., room_id: _Optional[str] = ..., room_id_type: _Optional[_Union[_enums_pb2.RoomIdType, str]] = ..., room_id_type_text: _Optional[str] = ...) -> None: ...

class CallMember(_message.Message):
    __slots__ = ["status", "status_text", "user_account"]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_TEXT_FIELD_NUMBER: _ClassVar[int]
    USER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    status: _enums_pb2.MemberStatus
    status_text: str
    user_account: str
    def __init__(self, user_account: _Optional[str] = ..., status: _Optional[_Union[_enums_pb2.MemberStatus, str]] = ..., status_text: _Optional[str] = ...) -> None: ...

class CallMemberChanged(_message.Message):
    __slots__ = ["call_id", "changed_user_list", "user_list"]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGED_USER_LIST_FIELD_NUMBER: _ClassVar[int]
    USER_LIST_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    changed_user_list: _containers.RepeatedCompositeFieldContainer[MemberChange]
    user_list: _containers.RepeatedCompositeFieldContainer[CallMember]
    def __init__(self, call_id: _Optional[str] = ..., user_list: _Optional[_Iterable[_Union[CallMember, _Mapping]]] = ..., changed_user_list: _Optional[_Iterable[_Union[MemberChange, _Mapping]]] = ...) -> None: ...

class CallRecord(_message.Message):
    __slots__ = ["accept_time", "call_id", "call_result", "call_result_text", "call_type", "call_type_text", "callee_accounts", "caller_account", "end_time", "media_type", "media_type_text", "room_id", "room_id_type", "room_id_type_text", "start_time"]
    ACCEPT_TIME_FIELD_NUMBER: _ClassVar[int]
    CALLEE_ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    CALLER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_RESULT_FIELD_NUMBER: _ClassVar[int]
    CALL_RESULT_TEXT_FIELD_NUMBER: _ClassVar[int]
    CALL_TYPE_FIELD_NUMBER: _ClassVar[int]
    CALL_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_TYPE_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    accept_time: _timestamp_pb2.Timestamp
    call_id: str
    call_result: _enums_pb2.CallResult
    call_result_text: str
    call_type: _enums_pb2.CallType
    call_type_text: str
    callee_accounts: _containers.RepeatedScalarFieldContainer[str]
    caller_account: str
    end_time: _timestamp_pb2.Timestamp
    media_type: _enums_pb2.MediaType
    media_type_text: str
    room_id: str
    room_id_type: _enums_pb2.RoomIdType
    room_id_type_text: str
    start_time: _timestamp_pb2.Timestamp
    def __init__(self, call_id: _Optional[str] = ..., caller_account: _Optional[str] = ..., media_type: _Optional[_Union[_enums_pb2.MediaType, str]] = ..., media_type_text: _Optional[str] = ..., call_type: _Optional[_Union[_enums_pb2.CallType, str]] = ..., call_type_text: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., accept_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., call_result: _Optional[_Union[_enums_pb2.CallResult, str]] = ..., call_result_text: _Optional[str] = ..., callee_accounts: _Optional[_Iterable[str]] = ..., room_id: _Optional[str] = ..., room_id_type: _Optional[_Union[_enums_pb2.RoomIdType, str]] = ..., room_id_type_text: _Optional[str] = ...) -> None: ...

class CallStarted(_message.Message):
    __slots__ = ["call_info", "user_list"]
    CALL_INFO_FIELD_NUMBER: _ClassVar[int]
    USER_LIST_FIELD_NUMBER: _ClassVar[int]
    call_info: CallInfo
    user_list: _containers.RepeatedCompositeFieldContainer[CallMember]
    def __init__(self, call_info: _Optional[_Union[CallInfo, _Mapping]] = ..., user_list: _Optional[_Iterable[_Union[CallMember, _Mapping]]] = ...) -> None: ...

class LiveMember(_message.Message):
    __slots__ = ["member_account"]
    MEMBER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    member_account: str
    def __init__(self, member_account: _Optional[str] = ...) -> None: ...

class LiveMemberStateChanged(_message.Message):
    __slots__ = ["event_cause", "event_cause_text", "event_type", "event_type_text", "member_list", "room_id"]
    EVENT_CAUSE_FIELD_NUMBER: _ClassVar[int]
    EVENT_CAUSE_TEXT_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    MEMBER_LIST_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    event_cause: _enums_pb2.LiveEventCause
    event_cause_text: str
    event_type: _enums_pb2.LiveEventType
    event_type_text: str
    member_list: _containers.RepeatedCompositeFieldContainer[LiveMember]
    room_id: str
    def __init__(self, room_id: _Optional[str] = ..., event_type: _Optional[_Union[_enums_pb2.LiveEventType, str]] = ..., event_type_text: _Optional[str] = ..., event_cause: _Optional[_Union[_enums_pb2.LiveEventCause, str]] = ..., event_cause_text: _Optional[str] = ..., member_list: _Optional[_Iterable[_Union[LiveMember, _Mapping]]] = ...) -> None: ...

class MemberChange(_message.Message):
    __slots__ = ["action_type", "action_type_text", "user_account"]
    ACTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    ACTION_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    USER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    action_type: _enums_pb2.ActionType
    action_type_text: str
    user_account: str
    def __init__(self, user_account: _Optional[str] = ..., action_type: _Optional[_Union[_enums_pb2.ActionType, str]] = ..., action_type_text: _Optional[str] = ...) -> None: ...

class OtherCallback(_message.Message):
    __slots__ = ["json"]
    JSON_FIELD_NUMBER: _ClassVar[int]
    json: str
    def __init__(self, json: _Optional[str] = ...) -> None: ...
