from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from trtc.gateway.v1 import live_enums_pb2 as _live_enums_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FollowAdded(_message.Message):
    __slots__ = ["extra_json", "follow_list", "from_account"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_LIST_FIELD_NUMBER: _ClassVar[int]
    FROM_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    follow_list: _containers.RepeatedCompositeFieldContainer[FollowEntry]
    from_account: str
    def __init__(self, from_account: _Optional[str] = ..., follow_list: _Optional[_Iterable[_Union[FollowEntry, _Mapping]]] = ..., extra_json: _Optional[str] = ...) -> None: ...

class FollowDeleted(_message.Message):
    __slots__ = ["extra_json", "from_account", "to_accounts"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    FROM_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    TO_ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    from_account: str
    to_accounts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, from_account: _Optional[str] = ..., to_accounts: _Optional[_Iterable[str]] = ..., extra_json: _Optional[str] = ...) -> None: ...

class FollowEntry(_message.Message):
    __slots__ = ["extra_json", "to_account"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    TO_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    to_account: str
    def __init__(self, to_account: _Optional[str] = ..., extra_json: _Optional[str] = ...) -> None: ...

class GroupMessage(_message.Message):
    __slots__ = ["cloud_custom_data", "extra_json", "from_account", "group_id", "msg_body", "msg_id", "msg_seq", "msg_time", "nick_name", "online_only_flag", "operator_account", "random", "send_msg_result", "topic_id", "type", "type_text"]
    CLOUD_CUSTOM_DATA_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    FROM_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    MSG_BODY_FIELD_NUMBER: _ClassVar[int]
    MSG_ID_FIELD_NUMBER: _ClassVar[int]
    MSG_SEQ_FIELD_NUMBER: _ClassVar[int]
    MSG_TIME_FIELD_NUMBER: _ClassVar[int]
    NICK_NAME_FIELD_NUMBER: _ClassVar[int]
    ONLINE_ONLY_FLAG_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    RANDOM_FIELD_NUMBER: _ClassVar[int]
    SEND_MSG_RESULT_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    cloud_custom_data: str
    extra_json: str
    from_account: str
    group_id: str
    msg_body: _containers.RepeatedCompositeFieldContainer[MsgElement]
    msg_id: str
    msg_seq: int
    msg_time: _timestamp_pb2.Timestamp
    nick_name: str
    online_only_flag: int
    operator_account: str
    random: int
    send_msg_result: int
    topic_id: str
    type: _live_enums_pb2.GroupType
    type_text: str
    def __init__(self, group_id: _Optional[str] = ..., type: _Optional[_Union[_live_enums_pb2.GroupType, str]] = ..., type_text: _Optional[str] = ..., from_account: _Optional[str] = ..., operator_account: _Optional[str] = ..., random: _Optional[int] = ..., msg_seq: _Optional[int] = ..., msg_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., online_only_flag: _Optional[int] = ..., msg_body: _Optional[_Iterable[_Union[MsgElement, _Mapping]]] = ..., cloud_custom_data: _Optional[str] = ..., topic_id: _Optional[str] = ..., nick_name: _Optional[str] = ..., msg_id: _Optional[str] = ..., send_msg_result: _Optional[int] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveAdminModified(_message.Message):
    __slots__ = ["admin_accounts", "extra_json", "op_type", "op_type_text", "operator_account", "room_id"]
    ADMIN_ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    OP_TYPE_FIELD_NUMBER: _ClassVar[int]
    OP_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    admin_accounts: _containers.RepeatedScalarFieldContainer[str]
    extra_json: str
    op_type: _live_enums_pb2.LiveAdminOp
    op_type_text: str
    operator_account: str
    room_id: str
    def __init__(self, room_id: _Optional[str] = ..., operator_account: _Optional[str] = ..., admin_accounts: _Optional[_Iterable[str]] = ..., op_type: _Optional[_Union[_live_enums_pb2.LiveAdminOp, str]] = ..., op_type_text: _Optional[str] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveBattle(_message.Message):
    __slots__ = ["battle_id", "create_time", "duration", "end_reason", "end_time", "extra_json", "from_room_info", "op_type_text", "start_time", "to_room_list"]
    BATTLE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    END_REASON_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    FROM_ROOM_INFO_FIELD_NUMBER: _ClassVar[int]
    OP_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    TO_ROOM_LIST_FIELD_NUMBER: _ClassVar[int]
    battle_id: str
    create_time: _timestamp_pb2.Timestamp
    duration: _duration_pb2.Duration
    end_reason: _live_enums_pb2.LiveBattleEndReason
    end_time: _timestamp_pb2.Timestamp
    extra_json: str
    from_room_info: LiveBattleRoom
    op_type_text: str
    start_time: _timestamp_pb2.Timestamp
    to_room_list: _containers.RepeatedCompositeFieldContainer[LiveBattleRoom]
    def __init__(self, battle_id: _Optional[str] = ..., duration: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., from_room_info: _Optional[_Union[LiveBattleRoom, _Mapping]] = ..., to_room_list: _Optional[_Iterable[_Union[LiveBattleRoom, _Mapping]]] = ..., end_reason: _Optional[_Union[_live_enums_pb2.LiveBattleEndReason, str]] = ..., op_type_text: _Optional[str] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveBattleCreated(_message.Message):
    __slots__ = ["battle_id", "duration", "extension_info", "extra_json", "from_room_id", "need_response", "operator_account", "timeout", "to_room_ids"]
    BATTLE_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_INFO_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    FROM_ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    NEED_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    TO_ROOM_IDS_FIELD_NUMBER: _ClassVar[int]
    battle_id: str
    duration: _duration_pb2.Duration
    extension_info: str
    extra_json: str
    from_room_id: str
    need_response: bool
    operator_account: str
    timeout: _duration_pb2.Duration
    to_room_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, operator_account: _Optional[str] = ..., battle_id: _Optional[str] = ..., from_room_id: _Optional[str] = ..., to_room_ids: _Optional[_Iterable[str]] = ..., timeout: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., duration: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., need_response: bool = ..., extension_info: _Optional[str] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveBattleRoom(_message.Message):
    __slots__ = ["extra_json", "owner_account", "room_id", "score"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    OWNER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    owner_account: str
    room_id: str
    score: int
    def __init__(self, room_id: _Optional[str] = ..., owner_account: _Optional[str] = ..., score: _Optional[int] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveGiftSending(_message.Message):
    __slots__ = ["extra_json", "gift_water", "operator_account", "room_id"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    GIFT_WATER_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    gift_water: LiveGiftWater
    operator_account: str
    room_id: str
    def __init__(self, operator_account: _Optional[str] = ..., room_id: _Optional[str] = ..., gift_water: _Optional[_Union[LiveGiftWater, _Mapping]] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveGiftWater(_message.Message):
    __slots__ = ["coins", "count", "extra_json", "from_account", "gift_id", "time", "to_accounts"]
    COINS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    FROM_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    GIFT_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    TO_ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    coins: int
    count: int
    extra_json: str
    from_account: str
    gift_id: str
    time: _timestamp_pb2.Timestamp
    to_accounts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, from_account: _Optional[str] = ..., to_accounts: _Optional[_Iterable[str]] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., gift_id: _Optional[str] = ..., count: _Optional[int] = ..., coins: _Optional[int] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveMetadataDeleted(_message.Message):
    __slots__ = ["extra_json", "keys", "operator_account", "room_id"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    keys: _containers.RepeatedScalarFieldContainer[str]
    operator_account: str
    room_id: str
    def __init__(self, operator_account: _Optional[str] = ..., room_id: _Optional[str] = ..., keys: _Optional[_Iterable[str]] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveMetadataItem(_message.Message):
    __slots__ = ["extra_json", "key", "value"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveMetadataSet(_message.Message):
    __slots__ = ["extra_json", "metadata", "operator_account", "room_id"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    metadata: _containers.RepeatedCompositeFieldContainer[LiveMetadataItem]
    operator_account: str
    room_id: str
    def __init__(self, operator_account: _Optional[str] = ..., room_id: _Optional[str] = ..., metadata: _Optional[_Iterable[_Union[LiveMetadataItem, _Mapping]]] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveOwnerChanged(_message.Message):
    __slots__ = ["current_owner_account", "extra_json", "operator_account", "original_owner_account", "room_id"]
    CURRENT_OWNER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_OWNER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    current_owner_account: str
    extra_json: str
    operator_account: str
    original_owner_account: str
    room_id: str
    def __init__(self, room_id: _Optional[str] = ..., operator_account: _Optional[str] = ..., current_owner_account: _Optional[str] = ..., original_owner_account: _Optional[str] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveRoomCountThresholdReached(_message.Message):
    __slots__ = ["cur_room_count", "extra_json", "max_room_count", "operator_account"]
    CUR_ROOM_COUNT_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    MAX_ROOM_COUNT_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    cur_room_count: int
    extra_json: str
    max_room_count: int
    operator_account: str
    def __init__(self, operator_account: _Optional[str] = ..., cur_room_count: _Optional[int] = ..., max_room_count: _Optional[int] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveRoomCreated(_message.Message):
    __slots__ = ["extra_json", "operator_account", "room_info"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ROOM_INFO_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    operator_account: str
    room_info: LiveRoomInfo
    def __init__(self, operator_account: _Optional[str] = ..., room_info: _Optional[_Union[LiveRoomInfo, _Mapping]] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveRoomDestroyed(_message.Message):
    __slots__ = ["event_type", "event_type_text", "extra_json", "operator_account", "room_id", "room_info", "statistic"]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    ROOM_INFO_FIELD_NUMBER: _ClassVar[int]
    STATISTIC_FIELD_NUMBER: _ClassVar[int]
    event_type: _live_enums_pb2.LiveRoomDestroyType
    event_type_text: str
    extra_json: str
    operator_account: str
    room_id: str
    room_info: LiveRoomInfo
    statistic: LiveRoomStatistic
    def __init__(self, operator_account: _Optional[str] = ..., room_id: _Optional[str] = ..., event_type: _Optional[_Union[_live_enums_pb2.LiveRoomDestroyType, str]] = ..., event_type_text: _Optional[str] = ..., room_info: _Optional[_Union[LiveRoomInfo, _Mapping]] = ..., statistic: _Optional[_Union[LiveRoomStatistic, _Mapping]] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveRoomInfo(_message.Message):
    __slots__ = ["activity_status", "background_url", "category", "cover_url", "create_time", "custom_info", "event_time", "extra_json", "is_message_disabled", "is_public_visible", "is_seat_enabled", "is_unlimited_room_enabled", "max_member_count", "max_seat_count", "owner_account", "room_id", "room_name", "room_type", "take_seat_mode", "take_seat_mode_text", "view_count"]
    ACTIVITY_STATUS_FIELD_NUMBER: _ClassVar[int]
    BACKGROUND_URL_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    COVER_URL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_INFO_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    IS_MESSAGE_DISABLED_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_VISIBLE_FIELD_NUMBER: _ClassVar[int]
    IS_SEAT_ENABLED_FIELD_NUMBER: _ClassVar[int]
    IS_UNLIMITED_ROOM_ENABLED_FIELD_NUMBER: _ClassVar[int]
    MAX_MEMBER_COUNT_FIELD_NUMBER: _ClassVar[int]
    MAX_SEAT_COUNT_FIELD_NUMBER: _ClassVar[int]
    OWNER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    ROOM_NAME_FIELD_NUMBER: _ClassVar[int]
    ROOM_TYPE_FIELD_NUMBER: _ClassVar[int]
    TAKE_SEAT_MODE_FIELD_NUMBER: _ClassVar[int]
    TAKE_SEAT_MODE_TEXT_FIELD_NUMBER: _ClassVar[int]
    VIEW_COUNT_FIELD_NUMBER: _ClassVar[int]
    activity_status: int
    background_url: str
    category: _containers.RepeatedScalarFieldContainer[int]
    cover_url: str
    create_time: _timestamp_pb2.Timestamp
    custom_info: str
    event_time: _timestamp_pb2.Timestamp
    extra_json: str
    is_message_disabled: bool
    is_public_visible: bool
    is_seat_enabled: bool
    is_unlimited_room_enabled: bool
    max_member_count: int
    max_seat_count: int
    owner_account: str
    room_id: str
    room_name: str
    room_type: str
    take_seat_mode: _live_enums_pb2.LiveTakeSeatMode
    take_seat_mode_text: str
    view_count: int
    def __init__(self, room_id: _Optional[str] = ..., room_name: _Optional[str] = ..., room_type: _Optional[str] = ..., owner_account: _Optional[str] = ..., max_member_count: _Optional[int] = ..., is_message_disabled: bool = ..., custom_info: _Optional[str] = ..., is_seat_enabled: bool = ..., take_seat_mode: _Optional[_Union[_live_enums_pb2.LiveTakeSeatMode, str]] = ..., take_seat_mode_text: _Optional[str] = ..., max_seat_count: _Optional[int] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., is_public_visible: bool = ..., cover_url: _Optional[str] = ..., category: _Optional[_Iterable[int]] = ..., activity_status: _Optional[int] = ..., view_count: _Optional[int] = ..., background_url: _Optional[str] = ..., is_unlimited_room_enabled: bool = ..., event_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveRoomInfoUpdated(_message.Message):
    __slots__ = ["extra_json", "operator_account", "room_info"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ROOM_INFO_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    operator_account: str
    room_info: LiveRoomInfo
    def __init__(self, operator_account: _Optional[str] = ..., room_info: _Optional[_Union[LiveRoomInfo, _Mapping]] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveRoomStatistic(_message.Message):
    __slots__ = ["extra_json", "total_gift_coins", "total_gifts_sent", "total_likes_received", "total_unique_gift_senders", "total_viewers"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    TOTAL_GIFTS_SENT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_GIFT_COINS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_LIKES_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_UNIQUE_GIFT_SENDERS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_VIEWERS_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    total_gift_coins: int
    total_gifts_sent: int
    total_likes_received: int
    total_unique_gift_senders: int
    total_viewers: int
    def __init__(self, total_viewers: _Optional[int] = ..., total_gifts_sent: _Optional[int] = ..., total_gift_coins: _Optional[int] = ..., total_unique_gift_senders: _Optional[int] = ..., total_likes_received: _Optional[int] = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveSeat(_message.Message):
    __slots__ = ["extra_json", "index", "is_audio_disabled", "is_taken_disabled", "is_video_disabled", "member_account"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    IS_AUDIO_DISABLED_FIELD_NUMBER: _ClassVar[int]
    IS_TAKEN_DISABLED_FIELD_NUMBER: _ClassVar[int]
    IS_VIDEO_DISABLED_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    index: int
    is_audio_disabled: bool
    is_taken_disabled: bool
    is_video_disabled: bool
    member_account: str
    def __init__(self, index: _Optional[int] = ..., member_account: _Optional[str] = ..., is_taken_disabled: bool = ..., is_video_disabled: bool = ..., is_audio_disabled: bool = ..., extra_json: _Optional[str] = ...) -> None: ...

class LiveSeatInfoChanged(_message.Message):
    __slots__ = ["extra_json", "operator_account", "room_id", "seat_list"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    SEAT_LIST_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    operator_account: str
    room_id: str
    seat_list: _containers.RepeatedCompositeFieldContainer[LiveSeat]
    def __init__(self, room_id: _Optional[str] = ..., operator_account: _Optional[str] = ..., seat_list: _Optional[_Iterable[_Union[LiveSeat, _Mapping]]] = ..., extra_json: _Optional[str] = ...) -> None: ...

class MsgElement(_message.Message):
    __slots__ = ["extra_json", "msg_content_json", "msg_type", "msg_type_text"]
    EXTRA_JSON_FIELD_NUMBER: _ClassVar[int]
    MSG_CONTENT_JSON_FIELD_NUMBER: _ClassVar[int]
    MSG_TYPE_FIELD_NUMBER: _ClassVar[int]
    MSG_TYPE_TEXT_FIELD_NUMBER: _ClassVar[int]
    extra_json: str
    msg_content_json: str
    msg_type: _live_enums_pb2.MsgType
    msg_type_text: str
    def __init__(self, msg_type: _Optional[_Union[_live_enums_pb2.MsgType, str]] = ..., msg_type_text: _Optional[str] = ..., msg_content_json: _Optional[str] = ..., extra_json: _Optional[str] = ...) -> None: ...
