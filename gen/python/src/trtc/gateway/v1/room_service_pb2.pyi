from google.protobuf import timestamp_pb2 as _timestamp_pb2
from trtc.gateway.v1 import call_service_pb2 as _call_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetRoomRequest(_message.Message):
    __slots__ = ["member_page_size", "member_page_token", "room_id", "sdk_app_id"]
    MEMBER_PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    MEMBER_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    SDK_APP_ID_FIELD_NUMBER: _ClassVar[int]
    member_page_size: int
    member_page_token: str
    room_id: str
    sdk_app_id: int
    def __init__(self, sdk_app_id: _Optional[int] = ..., room_id: _Optional[str] = ..., member_page_size: _Optional[int] = ..., member_page_token: _Optional[str] = ...) -> None: ...

class GetRoomResponse(_message.Message):
    __slots__ = ["next_member_page_token", "online_members", "room"]
    NEXT_MEMBER_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ONLINE_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    next_member_page_token: str
    online_members: _containers.RepeatedScalarFieldContainer[str]
    room: Room
    def __init__(self, room: _Optional[_Union[Room, _Mapping]] = ..., online_members: _Optional[_Iterable[str]] = ..., next_member_page_token: _Optional[str] = ...) -> None: ...

class ListRoomsRequest(_message.Message):
    __slots__ = ["page_size", "page_token", "sdk_app_id"]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SDK_APP_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    sdk_app_id: int
    def __init__(self, sdk_app_id: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRoomsResponse(_message.Message):
    __slots__ = ["next_page_token", "rooms", "total_size"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ROOMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    rooms: _containers.RepeatedCompositeFieldContainer[Room]
    total_size: int
    def __init__(self, rooms: _Optional[_Iterable[_Union[Room, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class Room(_message.Message):
    __slots__ = ["coverage", "expire_time", "last_event_time", "online_member_count", "room_id", "sdk_app_id"]
    COVERAGE_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    ONLINE_MEMBER_COUNT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    SDK_APP_ID_FIELD_NUMBER: _ClassVar[int]
    coverage: _call_service_pb2.Coverage
    expire_time: _timestamp_pb2.Timestamp
    last_event_time: _timestamp_pb2.Timestamp
    online_member_count: int
    room_id: str
    sdk_app_id: int
    def __init__(self, sdk_app_id: _Optional[int] = ..., room_id: _Optional[str] = ..., online_member_count: _Optional[int] = ..., last_event_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., coverage: _Optional[_Union[_call_service_pb2.Coverage, _Mapping]] = ...) -> None: ...
