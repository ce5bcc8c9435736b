from google.protobuf import timestamp_pb2 as _timestamp_pb2
from trtc.gateway.v1 import callbacks_pb2 as _callbacks_pb2
from trtc.gateway.v1 import enums_pb2 as _enums_pb2
from trtc.gateway.v1 import live_callbacks_pb2 as _live_callbacks_pb2
from trtc.gateway.v1 import trtc_events_pb2 as _trtc_events_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Event(_message.Message):
    __slots__ = ["call_ended", "call_id", "call_member_changed", "call_started", "callback_command", "client_ip", "content_type", "epoch", "event_time", "follow_added", "follow_deleted", "group_message_sending", "group_message_sent", "id", "live_admin_modified", "live_battle_created", "live_battle_ended", "live_battle_started", "live_gift_sending", "live_member_state_changed", "live_metadata_deleted", "live_metadata_set", "live_owner_changed", "live_room_count_threshold_reached", "live_room_created", "live_room_destroyed", "live_room_info_updated", "live_seat_info_changed", "opt_platform", "other", "received_at", "room_id", "sdk_app_id", "sequence", "trtc_cloud_recording", "trtc_media", "trtc_room", "trtc_transcription", "trtc_web_recording", "type", "user_accounts"]
    CALLBACK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    CALL_ENDED_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_MEMBER_CHANGED_FIELD_NUMBER: _ClassVar[int]
    CALL_STARTED_FIELD_NUMBER: _ClassVar[int]
    CLIENT_IP_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_ADDED_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    GROUP_MESSAGE_SENDING_FIELD_NUMBER: _ClassVar[int]
    GROUP_MESSAGE_SENT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LIVE_ADMIN_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    LIVE_BATTLE_CREATED_FIELD_NUMBER: _ClassVar[int]
    LIVE_BATTLE_ENDED_FIELD_NUMBER: _ClassVar[int]
    LIVE_BATTLE_STARTED_FIELD_NUMBER: _ClassVar[int]
    LIVE_GIFT_SENDING_FIELD_NUMBER: _ClassVar[int]
    LIVE_MEMBER_STATE_CHANGED_FIELD_NUMBER: _ClassVar[int]
    LIVE_METADATA_DELETED_FIELD_NUMBER: _ClassVar[int]
    LIVE_METADATA_SET_FIELD_NUMBER: _ClassVar[int]
    LIVE_OWNER_CHANGED_FIELD_NUMBER: _ClassVar[int]
    LIVE_ROOM_COUNT_THRESHOLD_REACHED_FIELD_NUMBER: _ClassVar[int]
    LIVE_ROOM_CREATED_FIELD_NUMBER: _ClassVar[int]
    LIVE_ROOM_DESTROYED_FIELD_NUMBER: _ClassVar[int]
    LIVE_ROOM_INFO_UPDATED_FIELD_NUMBER: _ClassVar[int]
    LIVE_SEAT_INFO_CHANGED_FIELD_NUMBER: _ClassVar[int]
    OPT_PLATFORM_FIELD_NUMBER: _ClassVar[int]
    OTHER_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    SDK_APP_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TRTC_CLOUD_RECORDING_FIELD_NUMBER: _ClassVar[int]
    TRTC_MEDIA_FIELD_NUMBER: _ClassVar[int]
    TRTC_ROOM_FIELD_NUMBER: _ClassVar[int]
    TRTC_TRANSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TRTC_WEB_RECORDING_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    USER_ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    call_ended: _callbacks_pb2.CallEnded
    call_id: str
    call_member_changed: _callbacks_pb2.CallMemberChanged
    call_started: _callbacks_pb2.CallStarted
    callback_command: str
    client_ip: str
    content_type: str
    epoch: str
    event_time: _timestamp_pb2.Timestamp
    follow_added: _live_callbacks_pb2.FollowAdded
    follow_deleted: _live_callbacks_pb2.FollowDeleted
    group_message_sending: _live_callbacks_pb2.GroupMessage
    group_message_sent: _live_callbacks_pb2.GroupMessage
    id: str
    live_admin_modified: _live_callbacks_pb2.LiveAdminModified
    live_battle_created: _live_callbacks_pb2.LiveBattleCreated
    live_battle_ended: _live_callbacks_pb2.LiveBattle
    live_battle_started: _live_callbacks_pb2.LiveBattle
    live_gift_sending: _live_callbacks_pb2.LiveGiftSending
    live_member_state_changed: _callbacks_pb2.LiveMemberStateChanged
    live_metadata_deleted: _live_callbacks_pb2.LiveMetadataDeleted
    live_metadata_set: _live_callbacks_pb2.LiveMetadataSet
    live_owner_changed: _live_callbacks_pb2.LiveOwnerChanged
    live_room_count_threshold_reached: _live_callbacks_pb2.LiveRoomCountThresholdReached
    live_room_created: _live_callbacks_pb2.LiveRoomCreated
    live_room_destroyed: _live_callbacks_pb2.LiveRoomDestroyed
    live_room_info_updated: _live_callbacks_pb2.LiveRoomInfoUpdated
    live_seat_info_changed: _live_callbacks_pb2.LiveSeatInfoChanged
    opt_platform: str
    other: _callbacks_pb2.OtherCallback
    received_at: _timestamp_pb2.Timestamp
    room_id: str
    sdk_app_id: int
    sequence: int
    trtc_cloud_recording: _trtc_events_pb2.TrtcCloudRecordingEvent
    trtc_media: _trtc_events_pb2.TrtcMediaEvent
    trtc_room: _trtc_events_pb2.TrtcRoomEvent
    trtc_transcription: _trtc_events_pb2.TrtcTranscriptionEvent
    trtc_web_recording: _trtc_events_pb2.TrtcWebRecordingEvent
    type: _enums_pb2.EventType
    user_accounts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, sequence: _Optional[int] = ..., epoch: _Optional[str] = ..., id: _Optional[str] = ..., type: _Optional[_Union[_enums_pb2.EventType, str]] = ..., callback_command: _Optional[str] = ..., sdk_app_id: _Optional[int] = ..., event_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., received_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., client_ip: _Optional[str] = ..., opt_platform: _Optional[str] = ..., content_type: _Optional[str] = ..., call_id: _Optional[str] = ..., room_id: _Optional[str] = ..., user_accounts: _Optional[_Iterable[str]] = ..., call_started: _Optional[_Union[_callbacks_pb2.CallStarted, _Mapping]] = ..., call_member_changed: _Optional[_Union[_callbacks_pb2.CallMemberChanged, _Mapping]] = ..., call_ended: _Optional[_Union[_callbacks_pb2.CallEnded, _Mapping]] = ..., live_member_state_changed: _Optional[_Union[_callbacks_pb2.LiveMemberStateChanged, _Mapping]] = ..., live_room_created: _Optional[_Union[_live_callbacks_pb2.LiveRoomCreated, _Mapping]] = ..., live_room_destroyed: _Optional[_Union[_live_callbacks_pb2.LiveRoomDestroyed, _Mapping]] = ..., live_room_info_updated: _Optional[_Union[_live_callbacks_pb2.LiveRoomInfoUpdated, _Mapping]] = ..., live_metadata_set: _Optional[_Union[_live_callbacks_pb2.LiveMetadataSet, _Mapping]] = ..., live_metadata_deleted: _Optional[_Union[_live_callbacks_pb2.LiveMetadataDeleted, _Mapping]] = ..., live_room_count_threshold_reached: _Optional[_Union[_live_callbacks_pb2.LiveRoomCountThresholdReached, _Mapping]] = ..., live_owner_changed: _Optional[_Union[_live_callbacks_pb2.LiveOwnerChanged, _Mapping]] = ..., live_admin_modified: _Optional[_Union[_live_callbacks_pb2.LiveAdminModified, _Mapping]] = ..., live_seat_info_changed: _Optional[_Union[_live_callbacks_pb2.LiveSeatInfoChanged, _Mapping]] = ..., live_battle_created: _Optional[_Union[_live_callbacks_pb2.LiveBattleCreated, _Mapping]] = ..., live_battle_started: _Optional[_Union[_live_callbacks_pb2.LiveBattle, _Mapping]] = ..., live_battle_ended: _Optional[_Union[_live_callbacks_pb2.LiveBattle, _Mapping]] = ..., live_gift_sending: _Optional[_Union[_live_callbacks_pb2.LiveGiftSending, _Mapping]] = ..., group_message_sending: _Optional[_Union[_live_callbacks_pb2.GroupMessage, _Mapping]] = ..., group_message_sent: _Optional[_Union[_live_callbacks_pb2.GroupMessage, _Mapping]] = ..., follow_added: _Optional[_Union[_live_callbacks_pb2.FollowAdded, _Mapping]] = ..., follow_deleted: _Optional[_Union[_live_callbacks_pb2.FollowDeleted, _Mapping]] = ..., other: _Optional[_Union[_callbacks_pb2.OtherCallback, _Mapping]] = ..., trtc_room: _Optional[_Union[_trtc_events_pb2.TrtcRoomEvent, _Mapping]] = ..., trtc_media: _Optional[_Union[_trtc_events_pb2.TrtcMediaEvent, _Mapping]] = ..., trtc_cloud_recording: _Optional[_Union[_trtc_events_pb2.TrtcCloudRecordingEvent, _Mapping]] = ..., trtc_web_recording: _Optional[_Union[_trtc_events_pb2.TrtcWebRecordingEvent, _Mapping]] = ..., trtc_transcription: _Optional[_Union[_trtc_events_pb2.TrtcTranscriptionEvent, _Mapping]] = ...) -> None: ...
