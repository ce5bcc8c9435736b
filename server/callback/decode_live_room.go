package callback

import (
	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// The live room callbacks: a room's life (create, update, destroy), its
// metadata, owner and admins, and the app's room quota. Each fills room_id
// from the room it is about and user_accounts from every account it names,
// the operator first.

// decodeLiveRoomCreated fills ev from a Live.CallbackAfterCreateRoom body.
func decodeLiveRoomCreated(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.LiveRoomCreated{OperatorAccount: r.id("Operator_Account", o.get("Operator_Account"))}
	infoRaw := r.object("RoomInfo", o.get("RoomInfo"))
	if r.err != nil {
		return r.err
	}
	info, err := readLiveRoomInfo(infoRaw)
	if err != nil {
		return err.in("RoomInfo")
	}
	m.RoomInfo, m.ExtraJson = info, o.extra()

	var accounts accountList
	accounts.add(m.OperatorAccount)
	accounts.add(info.GetOwnerAccount())
	ev.RoomId, ev.UserAccounts = info.GetRoomId(), accounts.list
	if ev.EventTime == nil {
		ev.EventTime = info.GetEventTime() // one copy of the sample puts it inside RoomInfo
	}
	ev.Payload = &gatewayv1.Event_LiveRoomCreated{LiveRoomCreated: m}
	return nil
}

// decodeLiveRoomDestroyed fills ev from a Live.CallbackAfterDestroyRoom body.
// Statistic may be absent (real traffic); Owner_Account may be a string or a number.
func decodeLiveRoomDestroyed(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.LiveRoomDestroyed{
		OperatorAccount: r.id("Operator_Account", o.get("Operator_Account")),
		RoomId:          r.id("RoomId", o.get("RoomId")),
		EventTypeText:   r.str("EventType", o.get("EventType")),
	}
	infoRaw := r.object("RoomInfo", o.get("RoomInfo"))
	statRaw := r.object("Statistic", o.get("Statistic"))
	if r.err != nil {
		return r.err
	}
	m.EventType = liveRoomDestroyTypes.of(m.EventTypeText)
	info, err := readLiveRoomInfo(infoRaw)
	if err != nil {
		return err.in("RoomInfo")
	}
	m.RoomInfo = info
	if statRaw != "" {
		so := newObject(statRaw)
		st := &gatewayv1.LiveRoomStatistic{
			TotalViewers:           r.integer("TotalViewers", so.get("TotalViewers")),
			TotalGiftsSent:         r.integer("TotalGiftsSent", so.get("TotalGiftsSent")),
			TotalGiftCoins:         r.integer("TotalGiftCoins", so.get("TotalGiftCoins")),
			TotalUniqueGiftSenders: r.integer("TotalUniqueGiftSenders", so.get("TotalUniqueGiftSenders")),
			TotalLikesReceived:     r.integer("TotalLikesReceived", so.get("TotalLikesReceived")),
		}
		if r.err != nil {
			return r.err.in("Statistic")
		}
		st.ExtraJson = so.extra()
		m.Statistic = st
	}
	m.ExtraJson = o.extra()

	var accounts accountList
	accounts.add(m.OperatorAccount)
	accounts.add(info.GetOwnerAccount())
	ev.RoomId = m.RoomId
	if ev.RoomId == "" {
		ev.RoomId = info.GetRoomId()
	}
	ev.UserAccounts = accounts.list
	ev.Payload = &gatewayv1.Event_LiveRoomDestroyed{LiveRoomDestroyed: m}
	return nil
}

// decodeLiveRoomInfoUpdated fills ev from a Live.CallbackAfterUpdateRoomInfo body.
func decodeLiveRoomInfoUpdated(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.LiveRoomInfoUpdated{OperatorAccount: r.id("Operator_Account", o.get("Operator_Account"))}
	infoRaw := r.object("RoomInfo", o.get("RoomInfo"))
	if r.err != nil {
		return r.err
	}
	info, err := readLiveRoomInfo(infoRaw)
	if err != nil {
		return err.in("RoomInfo")
	}
	m.RoomInfo, m.ExtraJson = info, o.extra()

	var accounts accountList
	accounts.add(m.OperatorAccount)
	accounts.add(info.GetOwnerAccount())
	ev.RoomId, ev.UserAccounts = info.GetRoomId(), accounts.list
	if ev.EventTime == nil {
		ev.EventTime = info.GetEventTime()
	}
	ev.Payload = &gatewayv1.Event_LiveRoomInfoUpdated{LiveRoomInfoUpdated: m}
	return nil
}

// readLiveRoomInfo reads a RoomInfo object; "" (absent) is nil.
func readLiveRoomInfo(raw string) (*gatewayv1.LiveRoomInfo, *fieldError) {
	if raw == "" {
		return nil, nil
	}
	o := newObject(raw)
	var r fieldReader
	info := &gatewayv1.LiveRoomInfo{
		RoomId:                 r.id("RoomId", o.get("RoomId")),
		RoomName:               r.optStr("RoomName", o.get("RoomName")),
		RoomType:               r.optStr("RoomType", o.get("RoomType")),
		OwnerAccount:           r.id("Owner_Account", o.get("Owner_Account")),
		MaxMemberCount:         r.integer("MaxMemberCount", o.get("MaxMemberCount")),
		IsMessageDisabled:      r.boolean("IsMessageDisabled", o.get("IsMessageDisabled")),
		CustomInfo:             r.optStr("CustomInfo", o.get("CustomInfo")),
		IsSeatEnabled:          r.boolean("IsSeatEnabled", o.get("IsSeatEnabled")),
		TakeSeatModeText:       r.str("TakeSeatMode", o.get("TakeSeatMode")),
		MaxSeatCount:           r.integer("MaxSeatCount", o.get("MaxSeatCount")),
		CreateTime:             r.seconds("CreateTime", o.get("CreateTime")),
		IsPublicVisible:        r.boolean("IsPublicVisible", o.get("IsPublicVisible")),
		CoverUrl:               r.optStr("CoverURL", o.get("CoverURL")),
		Category:               r.ints("Category", o.get("Category")),
		ActivityStatus:         r.integer("ActivityStatus", o.get("ActivityStatus")),
		ViewCount:              r.integer("ViewCount", o.get("ViewCount")),
		BackgroundUrl:          r.optStr("BackgroundURL", o.get("BackgroundURL")),
		IsUnlimitedRoomEnabled: r.boolean("IsUnlimitedRoomEnabled", o.get("IsUnlimitedRoomEnabled")),
		EventTime:              r.unixTime("EventTime", o.get("EventTime"), milliseconds),
	}
	if r.err != nil {
		return nil, r.err
	}
	info.TakeSeatMode = liveTakeSeatModes.of(info.TakeSeatModeText)
	info.ExtraJson = o.extra()
	return info, nil
}

// decodeLiveMetadataSet fills ev from a Live.CallbackAfterSetMetadata body.
func decodeLiveMetadataSet(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.LiveMetadataSet{
		OperatorAccount: r.id("Operator_Account", o.get("Operator_Account")),
		RoomId:          r.id("RoomId", o.get("RoomId")),
	}
	listRaw := r.array("Metadata", o.get("Metadata"))
	if r.err != nil {
		return r.err
	}
	err := eachObject("Metadata", listRaw, func(mo *object) *fieldError {
		var r fieldReader
		item := &gatewayv1.LiveMetadataItem{
			Key:   r.str("Key", mo.get("Key")),
			Value: r.str("Value", mo.get("Value")),
		}
		if r.err != nil {
			return r.err
		}
		item.ExtraJson = mo.extra()
		m.Metadata = append(m.Metadata, item)
		return nil
	})
	if err != nil {
		return err
	}
	m.ExtraJson = o.extra()

	var accounts accountList
	accounts.add(m.OperatorAccount)
	ev.RoomId, ev.UserAccounts = m.RoomId, accounts.list
	ev.Payload = &gatewayv1.Event_LiveMetadataSet{LiveMetadataSet: m}
	return nil
}

// decodeLiveMetadataDeleted fills ev from a Live.CallbackAfterDelMetadata body.
func decodeLiveMetadataDeleted(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.LiveMetadataDeleted{
		OperatorAccount: r.id("Operator_Account", o.get("Operator_Account")),
		RoomId:          r.id("RoomId", o.get("RoomId")),
		Keys:            r.strs("Keys", o.get("Keys")),
	}
	if r.err != nil {
		return r.err
	}
	m.ExtraJson = o.extra()

	var accounts accountList
	accounts.add(m.OperatorAccount)
	ev.RoomId, ev.UserAccounts = m.RoomId, accounts.list
	ev.Payload = &gatewayv1.Event_LiveMetadataDeleted{LiveMetadataDeleted: m}
	return nil
}

// decodeLiveRoomCountThresholdReached fills ev from a
// Live.CallbackAfterCreateRoomReachingThreshold body. The counts are numbers
// in the sample and strings in the field table; both read.
func decodeLiveRoomCountThresholdReached(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.LiveRoomCountThresholdReached{
		OperatorAccount: r.id("Operator_Account", o.get("Operator_Account")),
		CurRoomCount:    r.integer("CurRoomCount", o.get("CurRoomCount")),
		MaxRoomCount:    r.integer("MaxRoomCount", o.get("MaxRoomCount")),
	}
	if r.err != nil {
		return r.err
	}
	m.ExtraJson = o.extra()

	var accounts accountList
	accounts.add(m.OperatorAccount)
	ev.UserAccounts = accounts.list
	ev.Payload = &gatewayv1.Event_LiveRoomCountThresholdReached{LiveRoomCountThresholdReached: m}
	return nil
}

// decodeLiveOwnerChanged fills ev from a Live.CallbackAfterChangeOwner body.
func decodeLiveOwnerChanged(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.LiveOwnerChanged{
		RoomId:               r.id("RoomId", o.get("RoomId")),
		OperatorAccount:      r.id("Operator_Account", o.get("Operator_Account")),
		CurrentOwnerAccount:  r.id("CurrentOwner_Account", o.get("CurrentOwner_Account")),
		OriginalOwnerAccount: r.id("OriginalOwner_Account", o.get("OriginalOwner_Account")),
	}
	if r.err != nil {
		return r.err
	}
	m.ExtraJson = o.extra()

	var accounts accountList
	accounts.add(m.OperatorAccount)
	accounts.add(m.CurrentOwnerAccount)
	accounts.add(m.OriginalOwnerAccount)
	ev.RoomId, ev.UserAccounts = m.RoomId, accounts.list
	ev.Payload = &gatewayv1.Event_LiveOwnerChanged{LiveOwnerChanged: m}
	return nil
}

// decodeLiveAdminModified fills ev from a Live.CallbackAfterModifyAdmin body;
// Tencent spells its operation "opType" (lower camel); "OpType" reads too.
func decodeLiveAdminModified(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.LiveAdminModified{
		RoomId:          r.id("RoomId", o.get("RoomId")),
		OperatorAccount: r.id("Operator_Account", o.get("Operator_Account")),
		AdminAccounts:   r.ids("Admin_Account", o.get("Admin_Account")),
	}
	opName, opRaw := "opType", o.get("opType")
	if alt := o.get("OpType"); opRaw == "" && alt != "" {
		opName, opRaw = "OpType", alt
	}
	m.OpTypeText = r.str(opName, opRaw)
	if r.err != nil {
		return r.err
	}
	m.OpType = liveAdminOps.of(m.OpTypeText)
	m.ExtraJson = o.extra()

	accounts := accountList{list: make([]string, 0, 1+len(m.AdminAccounts))}
	accounts.add(m.OperatorAccount)
	for _, a := range m.AdminAccounts {
		accounts.add(a)
	}
	ev.RoomId, ev.UserAccounts = m.RoomId, accounts.list
	ev.Payload = &gatewayv1.Event_LiveAdminModified{LiveAdminModified: m}
	return nil
}
