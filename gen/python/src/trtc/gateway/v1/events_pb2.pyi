from google.protobuf import timestamp_pb2 as _timestamp_pb2
from trtc.gateway.v1 import callbacks_pb2 as _callbacks_pb2
from trtc.gateway.v1 import enums_pb2 as _enums_pb2
from trtc.gateway.v1 import trtc_events_pb2 as _trtc_events_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Event(_message.Message):
    __slots__ = ["call_ended", "call_id", "call_member_changed", "call_started", "callback_command", "client_ip", "content_type", "epoch", "event_time", "id", "live_member_state_changed", "opt_platform", "other", "received_at", "room_id", "sdk_app_id", "sequence", "trtc_cloud_recording", "trtc_media", "trtc_room", "trtc_transcription", "trtc_web_recording", "type", "user_accounts"]
    CALLBACK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    CALL_ENDED_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_MEMBER_CHANGED_FIELD_NUMBER: _ClassVar[int]
    CALL_STARTED_FIELD_NUMBER: _ClassVar[int]
    CLIENT_IP_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LIVE_MEMBER_STATE_CHANGED_FIELD_NUMBER: _ClassVar[int]
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
    id: str
    live_member_state_changed: _callbacks_pb2.LiveMemberStateChanged
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
    def __init__(self, sequence: _Optional[int] = ..., epoch: _Optional[str] = ..., id: _Optional[str] = ..., type: _Optional[_Union[_enums_pb2.EventType, str]] = ..., callback_command: _Optional[str] = ..., sdk_app_id: _Optional[int] = ..., event_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., received_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., client_ip: _Optional[str] = ..., opt_platform: _Optional[str] = ..., content_type: _Optional[str] = ..., call_id: _Optional[str] = ..., room_id: _Optional[str] = ..., user_accounts: _Optional[_Iterable[str]] = ..., call_started: _Optional[_Union[_callbacks_pb2.CallStarted, _Mapping]] = ..., call_member_changed: _Optional[_Union[_callbacks_pb2.CallMemberChanged, _Mapping]] = ..., call_ended: _Optional[_Union[_callbacks_pb2.CallEnded, _Mapping]] = ..., live_member_state_changed: _Optional[_Union[_callbacks_pb2.LiveMemberStateChanged, _Mapping]] = ..., other: _Optional[_Union[_callbacks_pb2.OtherCallback, _Mapping]] = ..., trtc_room: _Optional[_Union[_trtc_events_pb2.TrtcRoomEvent, _Mapping]] = ..., trtc_media: _Optional[_Union[_trtc_events_pb2.TrtcMediaEvent, _Mapping]] = ..., trtc_cloud_recording: _Optional[_Union[_trtc_events_pb2.TrtcCloudRecordingEvent, _Mapping]] = ..., trtc_web_recording: _Optional[_Union[_trtc_events_pb2.TrtcWebRecordingEvent, _Mapping]] = ..., trtc_transcription: _Optional[_Union[_trtc_events_pb2.TrtcTranscriptionEvent, _Mapping]] = ...) -> None: ...
