from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor
GROUP_TYPE_AV_CHAT_ROOM: GroupType
GROUP_TYPE_CHAT_ROOM: GroupType
GROUP_TYPE_COMMUNITY: GroupType
GROUP_TYPE_PRIVATE: GroupType
GROUP_TYPE_PUBLIC: GroupType
GROUP_TYPE_UNSPECIFIED: GroupType
LIVE_ADMIN_OP_ADD: LiveAdminOp
LIVE_ADMIN_OP_DELETE: LiveAdminOp
LIVE_ADMIN_OP_UNSPECIFIED: LiveAdminOp
LIVE_BATTLE_END_REASON_ALL_LEFT: LiveBattleEndReason
LIVE_BATTLE_END_REASON_NEVER_STARTED: LiveBattleEndReason
LIVE_BATTLE_END_REASON_TIME_UP: LiveBattleEndReason
LIVE_BATTLE_END_REASON_UNSPECIFIED: LiveBattleEndReason
LIVE_ROOM_DESTROY_TYPE_BY_SYSTEM: LiveRoomDestroyType
LIVE_ROOM_DESTROY_TYPE_BY_USER: LiveRoomDestroyType
LIVE_ROOM_DESTROY_TYPE_UNSPECIFIED: LiveRoomDestroyType
LIVE_TAKE_SEAT_MODE_APPLY_TO_TAKE: LiveTakeSeatMode
LIVE_TAKE_SEAT_MODE_FREE_TO_TAKE: LiveTakeSeatMode
LIVE_TAKE_SEAT_MODE_NONE: LiveTakeSeatMode
LIVE_TAKE_SEAT_MODE_UNSPECIFIED: LiveTakeSeatMode
MSG_TYPE_CUSTOM: MsgType
MSG_TYPE_FACE: MsgType
MSG_TYPE_FILE: MsgType
MSG_TYPE_IMAGE: MsgType
MSG_TYPE_LOCATION: MsgType
MSG_TYPE_SOUND: MsgType
MSG_TYPE_TEXT: MsgType
MSG_TYPE_UNSPECIFIED: MsgType
MSG_TYPE_VIDEO_FILE: MsgType

class LiveTakeSeatMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class LiveRoomDestroyType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class LiveAdminOp(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class LiveBattleEndReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class GroupType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class MsgType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
