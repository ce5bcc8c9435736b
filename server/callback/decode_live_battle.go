package callback

import (
	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// The battle (PK) callbacks. room_id is the inviting room; user_accounts the
// operator and every room owner. Timeout and Duration are milliseconds,
// CreateTime, StartTime and EndTime seconds.

// decodeLiveBattleCreated fills ev from a Live.CallbackAfterCreateBattle body.
func decodeLiveBattleCreated(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.LiveBattleCreated{
		OperatorAccount: r.id("Operator_Account", o.get("Operator_Account")),
		BattleId:        r.str("BattleId", o.get("BattleId")),
		FromRoomId:      r.id("FromRoomId", o.get("FromRoomId")),
		ToRoomIds:       r.ids("ToRoomIdList", o.get("ToRoomIdList")),
		Timeout:         r.millisDuration("Timeout", o.get("Timeout")),
		Duration:        r.millisDuration("Duration", o.get("Duration")),
		NeedResponse:    r.boolean("NeedResponse", o.get("NeedResponse")),
		ExtensionInfo:   r.optStr("ExtensionInfo", o.get("ExtensionInfo")),
	}
	if r.err != nil {
		return r.err
	}
	m.ExtraJson = o.extra()

	var accounts accountList
	accounts.add(m.OperatorAccount)
	ev.RoomId, ev.UserAccounts = m.FromRoomId, accounts.list
	ev.Payload = &gatewayv1.Event_LiveBattleCreated{LiveBattleCreated: m}
	return nil
}

// decodeLiveBattleStarted fills ev from a Live.CallbackAfterStartBattle body.
func decodeLiveBattleStarted(top *topFields, ev *gatewayv1.Event) *fieldError {
	m, err := readLiveBattle(top, ev)
	if err != nil {
		return err
	}
	ev.Payload = &gatewayv1.Event_LiveBattleStarted{LiveBattleStarted: m}
	return nil
}

// decodeLiveBattleEnded fills ev from a Live.CallbackAfterEndBattle body.
func decodeLiveBattleEnded(top *topFields, ev *gatewayv1.Event) *fieldError {
	m, err := readLiveBattle(top, ev)
	if err != nil {
		return err
	}
	ev.Payload = &gatewayv1.Event_LiveBattleEnded{LiveBattleEnded: m}
	return nil
}

// readLiveBattle reads the body shared by the start and end callbacks and
// fills ev's routing keys.
func readLiveBattle(top *topFields, ev *gatewayv1.Event) (*gatewayv1.LiveBattle, *fieldError) {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.LiveBattle{
		BattleId:   r.str("BattleId", o.get("BattleId")),
		Duration:   r.millisDuration("Duration", o.get("Duration")),
		CreateTime: r.seconds("CreateTime", o.get("CreateTime")),
		StartTime:  r.seconds("StartTime", o.get("StartTime")),
		EndTime:    r.seconds("EndTime", o.get("EndTime")),
	}
	if op := r.integer("OpType", o.get("OpType")); op != nil {
		m.OpTypeText = o.vals["OpType"]
		if kindOf(m.OpTypeText) == kindString {
			m.OpTypeText = unquote(m.OpTypeText)
		}
		m.EndReason = battleEndReasonOf(*op)
	}
	fromRaw := r.object("FromRoomInfo", o.get("FromRoomInfo"))
	toRaw := r.array("ToRoomList", o.get("ToRoomList"))
	if r.err != nil {
		return nil, r.err
	}
	if fromRaw != "" {
		from, err := readLiveBattleRoom(newObject(fromRaw))
		if err != nil {
			return nil, err.in("FromRoomInfo")
		}
		m.FromRoomInfo = from
	}
	err := eachObject("ToRoomList", toRaw, func(ro *object) *fieldError {
		room, err := readLiveBattleRoom(ro)
		if err != nil {
			return err
		}
		m.ToRoomList = append(m.ToRoomList, room)
		return nil
	})
	if err != nil {
		return nil, err
	}
	m.ExtraJson = o.extra()

	accounts := accountList{list: make([]string, 0, 1+len(m.ToRoomList))}
	accounts.add(m.FromRoomInfo.GetOwnerAccount())
	for _, room := range m.ToRoomList {
		accounts.add(room.OwnerAccount)
	}
	ev.RoomId, ev.UserAccounts = m.FromRoomInfo.GetRoomId(), accounts.list
	return m, nil
}

// readLiveBattleRoom reads one {RoomId, Owner_Account, Score} object.
func readLiveBattleRoom(o *object) (*gatewayv1.LiveBattleRoom, *fieldError) {
	var r fieldReader
	room := &gatewayv1.LiveBattleRoom{
		RoomId:       r.id("RoomId", o.get("RoomId")),
		OwnerAccount: r.id("Owner_Account", o.get("Owner_Account")),
		Score:        r.integer("Score", o.get("Score")),
	}
	if r.err != nil {
		return nil, r.err
	}
	room.ExtraJson = o.extra()
	return room, nil
}

// battleEndReasonOf maps OpType's number to its enum; an unknown number is UNSPECIFIED.
func battleEndReasonOf(op int64) gatewayv1.LiveBattleEndReason {
	switch op {
	case 0:
		return gatewayv1.LiveBattleEndReason_LIVE_BATTLE_END_REASON_TIME_UP
	case 1:
		return gatewayv1.LiveBattleEndReason_LIVE_BATTLE_END_REASON_ALL_LEFT
	case 2:
		return gatewayv1.LiveBattleEndReason_LIVE_BATTLE_END_REASON_NEVER_STARTED
	default:
		return gatewayv1.LiveBattleEndReason_LIVE_BATTLE_END_REASON_UNSPECIFIED
	}
}
