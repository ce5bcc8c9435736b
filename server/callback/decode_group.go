package callback

import (
	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// decodeGroupMessageSending fills ev from a Group.CallbackBeforeSendMsg body.
func decodeGroupMessageSending(top *topFields, ev *gatewayv1.Event) *fieldError {
	m, err := readGroupMessage(top, ev)
	if err != nil {
		return err
	}
	ev.Payload = &gatewayv1.Event_GroupMessageSending{GroupMessageSending: m}
	return nil
}

// decodeGroupMessageSent fills ev from a Group.CallbackAfterSendMsg body.
func decodeGroupMessageSent(top *topFields, ev *gatewayv1.Event) *fieldError {
	m, err := readGroupMessage(top, ev)
	if err != nil {
		return err
	}
	ev.Payload = &gatewayv1.Event_GroupMessageSent{GroupMessageSent: m}
	return nil
}

// readGroupMessage reads the IM group message shared by the before and after
// callbacks and fills ev's routing keys: the accounts From_Account then
// Operator_Account, and room_id the GroupId when the group is a live room's
// AVChatRoom (TUILiveKit uses the room id as the group id).
func readGroupMessage(top *topFields, ev *gatewayv1.Event) (*gatewayv1.GroupMessage, *fieldError) {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.GroupMessage{
		GroupId:         r.str("GroupId", o.get("GroupId")),
		TypeText:        r.str("Type", o.get("Type")),
		FromAccount:     r.id("From_Account", o.get("From_Account")),
		OperatorAccount: r.id("Operator_Account", o.get("Operator_Account")),
		Random:          r.unsigned("Random", o.get("Random")),
		MsgSeq:          r.unsigned("MsgSeq", o.get("MsgSeq")),
		MsgTime:         r.seconds("MsgTime", o.get("MsgTime")),
		OnlineOnlyFlag:  r.integer("OnlineOnlyFlag", o.get("OnlineOnlyFlag")),
		CloudCustomData: r.optStr("CloudCustomData", o.get("CloudCustomData")),
		TopicId:         r.optStr("TopicId", o.get("TopicId")),
		NickName:        r.optStr("NickName", o.get("NickName")),
		MsgId:           r.optStr("MsgId", o.get("MsgId")),
		SendMsgResult:   r.integer("SendMsgResult", o.get("SendMsgResult")),
	}
	bodyRaw := r.array("MsgBody", o.get("MsgBody"))
	if r.err != nil {
		return nil, r.err
	}
	m.Type = groupTypes.of(m.TypeText)
	err := eachObject("MsgBody", bodyRaw, func(eo *object) *fieldError {
		var r fieldReader
		el := &gatewayv1.MsgElement{MsgTypeText: r.str("MsgType", eo.get("MsgType"))}
		if r.err != nil {
			return r.err
		}
		el.MsgType = msgTypes.of(el.MsgTypeText)
		el.MsgContentJson = eo.get("MsgContent") // any shape, kept as sent
		el.ExtraJson = eo.extra()
		m.MsgBody = append(m.MsgBody, el)
		return nil
	})
	if err != nil {
		return nil, err
	}
	m.ExtraJson = o.extra()

	var accounts accountList
	accounts.add(m.FromAccount)
	accounts.add(m.OperatorAccount)
	ev.UserAccounts = accounts.list
	if m.Type == gatewayv1.GroupType_GROUP_TYPE_AV_CHAT_ROOM {
		ev.RoomId = m.GroupId
	}
	return m, nil
}
