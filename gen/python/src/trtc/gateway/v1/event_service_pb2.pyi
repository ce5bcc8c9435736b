from google.protobuf import timestamp_pb2 as _timestamp_pb2
from trtc.gateway.v1 import enums_pb2 as _enums_pb2
from trtc.gateway.v1 import events_pb2 as _events_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Heartbeat(_message.Message):
    __slots__ = ["epoch", "head_sequence", "time"]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    HEAD_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    epoch: str
    head_sequence: int
    time: _timestamp_pb2.Timestamp
    def __init__(self, time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., head_sequence: _Optional[int] = ..., epoch: _Optional[str] = ...) -> None: ...

class SubscribeRequest(_message.Message):
    __slots__ = ["after_sequence", "call_ids", "callback_commands", "epoch", "event_types", "room_ids", "sdk_app_ids", "user_accounts"]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_COMMANDS_FIELD_NUMBER: _ClassVar[int]
    CALL_IDS_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    ROOM_IDS_FIELD_NUMBER: _ClassVar[int]
    SDK_APP_IDS_FIELD_NUMBER: _ClassVar[int]
    USER_ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    after_sequence: int
    call_ids: _containers.RepeatedScalarFieldContainer[str]
    callback_commands: _containers.RepeatedScalarFieldContainer[str]
    epoch: str
    event_types: _containers.RepeatedScalarFieldContainer[_enums_pb2.EventType]
    room_ids: _containers.RepeatedScalarFieldContainer[str]
    sdk_app_ids: _containers.RepeatedScalarFieldContainer[int]
    user_accounts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, event_types: _Optional[_Iterable[_Union[_enums_pb2.EventType, str]]] = ..., callback_commands: _Optional[_Iterable[str]] = ..., sdk_app_ids: _Optional[_Iterable[int]] = ..., call_ids: _Optional[_Iterable[str]] = ..., room_ids: _Optional[_Iterable[str]] = ..., user_accounts: _Optional[_Iterable[str]] = ..., after_sequence: _Optional[int] = ..., epoch: _Optional[str] = ...) -> None: ...

class SubscribeResponse(_message.Message):
    __slots__ = ["event", "heartbeat"]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    event: _events_pb2.Event
    heartbeat: Heartbeat
    def __init__(self, event: _Optional[_Union[_events_pb2.Event, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ...) -> None: ...
