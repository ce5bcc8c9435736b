from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from trtc.gateway.v1 import call_service_pb2 as _call_service_pb2
from trtc.gateway.v1 import live_callbacks_pb2 as _live_callbacks_pb2
from trtc.gateway.v1 import trtc_events_pb2 as _trtc_events_pb2
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
    __slots__ = ["next_member_page_token", "online_members", "room", "trtc_users"]
    NEXT_MEMBER_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ONLINE_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    TRTC_USERS_FIELD_NUMBER: _ClassVar[int]
    next_member_page_token: str
    online_members: _containers.RepeatedScalarFieldContainer[str]
    room: Room
    trtc_users: _containers.RepeatedCompositeFieldContainer[TrtcRoomUser]
    def __init__(self, room: _Optional[_Union[Room, _Mapping]] = ..., online_members: _Optional[_Iterable[str]] = ..., next_member_page_token: _Optional[str] = ..., trtc_users: _Optional[_Iterable[_Union[TrtcRoomUser, _Mapping]]] = ...) -> None: ...

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
    __slots__ = ["active_battle", "admin_accounts", "coverage", "expire_time", "info", "last_event_time", "metadata", "online_member_count", "owner_account", "room_id", "sdk_app_id", "seats", "trtc_user_count"]
    class MetadataEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ACTIVE_BATTLE_FIELD_NUMBER: _ClassVar[int]
    ADMIN_ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    COVERAGE_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ONLINE_MEMBER_COUNT_FIELD_NUMBER: _ClassVar[int]
    OWNER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    SDK_APP_ID_FIELD_NUMBER: _ClassVar[int]
    SEATS_FIELD_NUMBER: _ClassVar[int]
    TRTC_USER_COUNT_FIELD_NUMBER: _ClassVar[int]
    active_battle: RoomBattle
    admin_accounts: _containers.RepeatedScalarFieldContainer[str]
    coverage: _call_service_pb2.Coverage
    expire_time: _timestamp_pb2.Timestamp
    info: _live_callbacks_pb2.LiveRoomInfo
    last_event_time: _timestamp_pb2.Timestamp
    metadata: _containers.ScalarMap[str, str]
    online_member_count: int
    owner_account: str
    room_id: str
    sdk_app_id: int
    seats: _containers.RepeatedCompositeFieldContainer[_live_callbacks_pb2.LiveSeat]
    trtc_user_count: int
    def __init__(self, sdk_app_id: _Optional[int] = ..., room_id: _Optional[str] = ..., online_member_count: _Optional[int] = ..., last_event_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., coverage: _Optional[_Union[_call_service_pb2.Coverage, _Mapping]] = ..., info: _Optional[_Union[_live_callbacks_pb2.LiveRoomInfo, _Mapping]] = ..., owner_account: _Optional[str] = ..., admin_accounts: _Optional[_Iterable[str]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., seats: _Optional[_Iterable[_Union[_live_callbacks_pb2.LiveSeat, _Mapping]]] = ..., active_battle: _Optional[_Union[RoomBattle, _Mapping]] = ..., trtc_user_count: _Optional[int] = ...) -> None: ...

class RoomBattle(_message.Message):
    __slots__ = ["battle_id", "duration", "room_ids", "start_time", "started"]
    BATTLE_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    ROOM_IDS_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    battle_id: str
    duration: _duration_pb2.Duration
    room_ids: _containers.RepeatedScalarFieldContainer[str]
    start_time: _timestamp_pb2.Timestamp
    started: bool
    def __init__(self, battle_id: _Optional[str] = ..., started: bool = ..., room_ids: _Optional[_Iterable[str]] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., duration: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class TrtcRoomUser(_message.Message):
    __slots__ = ["enter_time", "publishing_audio", "publishing_sub_stream", "publishing_video", "role", "user_id"]
    ENTER_TIME_FIELD_NUMBER: _ClassVar[int]
    PUBLISHING_AUDIO_FIELD_NUMBER: _ClassVar[int]
    PUBLISHING_SUB_STREAM_FIELD_NUMBER: _ClassVar[int]
    PUBLISHING_VIDEO_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    enter_time: _timestamp_pb2.Timestamp
    publishing_audio: bool
    publishing_sub_stream: bool
    publishing_video: bool
    role: _trtc_events_pb2.TrtcRole
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., role: _Optional[_Union[_trtc_events_pb2.TrtcRole, str]] = ..., enter_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., publishing_video: bool = ..., publishing_audio: bool = ..., publishing_sub_stream: bool = ...) -> None: ...
