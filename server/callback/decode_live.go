package callback

import (
	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// decodeLiveMemberStateChanged fills ev from a
// Live.CallbackAfterMemberStateChanged body: the room id from RoomId, the
// accounts from MemberList.
func decodeLiveMemberStateChanged(top *topFields, ev *gatewayv1.Event) *fieldError {
	var r fieldReader
	changed := &gatewayv1.LiveMemberStateChanged{
		RoomId:         r.id("RoomId", top.roomID),
		EventTypeText:  r.str("EventType", top.eventType),
		EventCauseText: r.str("EventCause", top.eventCause),
	}
	membersRaw := r.array("MemberList", top.memberList)
	if r.err != nil {
		return r.err
	}
	changed.EventType = liveEventTypes.of(changed.EventTypeText)
	changed.EventCause = liveEventCauses.of(changed.EventCauseText)
	list, err := readLiveMembers("MemberList", membersRaw)
	if err != nil {
		return err
	}
	changed.MemberList = list

	accounts := accountList{list: make([]string, 0, len(list))}
	for _, m := range list {
		accounts.add(m.MemberAccount)
	}
	ev.RoomId = changed.RoomId
	ev.UserAccounts = accounts.list
	ev.Payload = &gatewayv1.Event_LiveMemberStateChanged{LiveMemberStateChanged: changed}
	return nil
}

// readLiveMembers reads a MemberList array; null elements are skipped.
func readLiveMembers(list, raw string) ([]*gatewayv1.LiveMember, *fieldError) {
	if raw == "" {
		return nil, nil
	}
	out := make([]*gatewayv1.LiveMember, 0, countElements(raw))
	for i, el := range elements(raw) {
		if el == "" {
			continue
		}
		if kindOf(el) != kindObject {
			return nil, wrongType("", "an object", el).inElement(list, i)
		}
		var account string
		for key, v := range members(el) {
			if key == "Member_Account" {
				account = v
			}
		}
		var r fieldReader
		m := &gatewayv1.LiveMember{MemberAccount: r.id("Member_Account", account)}
		if r.err != nil {
			return nil, r.err.inElement(list, i)
		}
		out = append(out, m)
	}
	return out, nil
}
