package callback

import (
	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// decodeStartCall fills ev from a Call.CallbackAfterStartCall body: the call
// and room ids from CallInfo, the accounts from UserList.
func decodeStartCall(top *topFields, ev *gatewayv1.Event) *fieldError {
	var r fieldReader
	infoRaw := r.object("CallInfo", top.callInfo)
	usersRaw := r.array("UserList", top.userList)
	if r.err != nil {
		return r.err
	}
	started := &gatewayv1.CallStarted{}
	if infoRaw != "" {
		info, err := readCallInfo(infoRaw)
		if err != nil {
			return err.in("CallInfo")
		}
		started.CallInfo = info
		ev.CallId, ev.RoomId = info.CallId, info.RoomId
	}
	users, err := readCallMembers("UserList", usersRaw)
	if err != nil {
		return err
	}
	started.UserList = users

	accounts := accountList{list: make([]string, 0, len(users))}
	for _, u := range users {
		accounts.add(u.UserAccount)
	}
	ev.UserAccounts = accounts.list
	ev.Payload = &gatewayv1.Event_CallStarted{CallStarted: started}
	return nil
}

// decodeMemberChanged fills ev from a Call.CallbackAfterMemberChanged body:
// the call id from CallId, the accounts from UserList, then ChangedUserList.
func decodeMemberChanged(top *topFields, ev *gatewayv1.Event) *fieldError {
	var r fieldReader
	changed := &gatewayv1.CallMemberChanged{CallId: r.str("CallId", top.callID)}
	usersRaw := r.array("UserList", top.userList)
	changesRaw := r.array("ChangedUserList", top.changedUserList)
	if r.err != nil {
		return r.err
	}
	users, err := readCallMembers("UserList", usersRaw)
	if err != nil {
		return err
	}
	changes, err := readMemberChanges("ChangedUserList", changesRaw)
	if err != nil {
		return err
	}
	changed.UserList, changed.ChangedUserList = users, changes

	accounts := accountList{list: make([]string, 0, len(users)+len(changes))}
	for _, u := range users {
		accounts.add(u.UserAccount)
	}
	for _, c := range changes {
		accounts.add(c.UserAccount)
	}
	ev.CallId = changed.CallId
	ev.UserAccounts = accounts.list
	ev.Payload = &gatewayv1.Event_CallMemberChanged{CallMemberChanged: changed}
	return nil
}

// decodeEndCall fills ev from a Call.CallbackAfterEndCall body: the call and
// room ids from CallRecord, the accounts from Caller_Account, then
// CalleeList_Account.
func decodeEndCall(top *topFields, ev *gatewayv1.Event) *fieldError {
	var r fieldReader
	recordRaw := r.object("CallRecord", top.callRecord)
	if r.err != nil {
		return r.err
	}
	ended := &gatewayv1.CallEnded{}
	if recordRaw != "" {
		record, err := readCallRecord(recordRaw)
		if err != nil {
			return err.in("CallRecord")
		}
		ended.CallRecord = record
		ev.CallId, ev.RoomId = record.CallId, record.RoomId

		accounts := accountList{list: make([]string, 0, 1+len(record.CalleeAccounts))}
		accounts.add(record.CallerAccount)
		for _, callee := range record.CalleeAccounts {
			accounts.add(callee)
		}
		ev.UserAccounts = accounts.list
	}
	ev.Payload = &gatewayv1.Event_CallEnded{CallEnded: ended}
	return nil
}

// readCallInfo reads a start-call CallInfo object. The media type is
// CallMediaType in Tencent's sample and MediaType in its field table; the
// first is read, the second when the first is absent.
func readCallInfo(raw string) (*gatewayv1.CallInfo, *fieldError) {
	var callID, callMediaType, mediaType, chatGroupID, roomID, roomIDType string
	for key, v := range members(raw) {
		switch key {
		case "CallId":
			callID = v
		case "CallMediaType":
			callMediaType = v
		case "MediaType":
			mediaType = v
		case "ChatGroupId":
			chatGroupID = v
		case "RoomId":
			roomID = v
		case "RoomIdType":
			roomIDType = v
		}
	}
	mediaKey, mediaRaw := "CallMediaType", callMediaType
	if mediaRaw == "" {
		mediaKey, mediaRaw = "MediaType", mediaType
	}

	var r fieldReader
	info := &gatewayv1.CallInfo{
		CallId:         r.str("CallId", callID),
		MediaTypeText:  r.str(mediaKey, mediaRaw),
		ChatGroupId:    r.str("ChatGroupId", chatGroupID),
		RoomId:         r.id("RoomId", roomID),
		RoomIdTypeText: r.roomIDType("RoomIdType", roomIDType),
	}
	if r.err != nil {
		return nil, r.err
	}
	info.MediaType = mediaTypes.of(info.MediaTypeText)
	info.RoomIdType = roomIDTypeOf(info.RoomIdTypeText)
	return info, nil
}

// readCallRecord reads an end-call CallRecord object. Times are Unix seconds;
// 0, as AcceptTime is for a call that never connected, leaves the time unset.
// The media type is MediaType, or CallMediaType as in CallInfo when
// MediaType is absent.
func readCallRecord(raw string) (*gatewayv1.CallRecord, *fieldError) {
	var f struct {
		callID, caller, mediaType, callMediaType, callType          string
		startTime, endTime, acceptTime, callResult, callees, roomID string
		roomIDType                                                  string
	}
	for key, v := range members(raw) {
		switch key {
		case "CallId":
			f.callID = v
		case "Caller_Account":
			f.caller = v
		case "MediaType":
			f.mediaType = v
		case "CallMediaType":
			f.callMediaType = v
		case "CallType":
			f.callType = v
		case "StartTime":
			f.startTime = v
		case "EndTime":
			f.endTime = v
		case "AcceptTime":
			f.acceptTime = v
		case "CallResult":
			f.callResult = v
		case "CalleeList_Account":
			f.callees = v
		case "RoomId":
			f.roomID = v
		case "RoomIdType":
			f.roomIDType = v
		}
	}
	mediaKey, mediaRaw := "MediaType", f.mediaType
	if mediaRaw == "" {
		mediaKey, mediaRaw = "CallMediaType", f.callMediaType
	}

	var r fieldReader
	record := &gatewayv1.CallRecord{
		CallId:         r.str("CallId", f.callID),
		CallerAccount:  r.id("Caller_Account", f.caller),
		MediaTypeText:  r.str(mediaKey, mediaRaw),
		CallTypeText:   r.str("CallType", f.callType),
		StartTime:      r.unixTime("StartTime", f.startTime, seconds),
		EndTime:        r.unixTime("EndTime", f.endTime, seconds),
		AcceptTime:     r.unixTime("AcceptTime", f.acceptTime, seconds),
		CallResultText: r.str("CallResult", f.callResult),
		RoomId:         r.id("RoomId", f.roomID),
		RoomIdTypeText: r.roomIDType("RoomIdType", f.roomIDType),
	}
	calleesRaw := r.array("CalleeList_Account", f.callees)
	if r.err != nil {
		return nil, r.err
	}
	callees, err := readIDs("CalleeList_Account", calleesRaw)
	if err != nil {
		return nil, err
	}
	record.CalleeAccounts = callees
	record.MediaType = mediaTypes.of(record.MediaTypeText)
	record.CallType = callTypes.of(record.CallTypeText)
	record.CallResult = callResults.of(record.CallResultText)
	record.RoomIdType = roomIDTypeOf(record.RoomIdTypeText)
	return record, nil
}

// readCallMembers reads a UserList array; null elements are skipped.
func readCallMembers(list, raw string) ([]*gatewayv1.CallMember, *fieldError) {
	if raw == "" {
		return nil, nil
	}
	out := make([]*gatewayv1.CallMember, 0, countElements(raw))
	for i, el := range elements(raw) {
		if el == "" {
			continue
		}
		if kindOf(el) != kindObject {
			return nil, wrongType("", "an object", el).inElement(list, i)
		}
		var account, status string
		for key, v := range members(el) {
			switch key {
			case "User_Account":
				account = v
			case "Status":
				status = v
			}
		}
		var r fieldReader
		m := &gatewayv1.CallMember{
			UserAccount: r.id("User_Account", account),
			StatusText:  r.str("Status", status),
		}
		if r.err != nil {
			return nil, r.err.inElement(list, i)
		}
		m.Status = memberStatuses.of(m.StatusText)
		out = append(out, m)
	}
	return out, nil
}

// readMemberChanges reads a ChangedUserList array; null elements are skipped.
func readMemberChanges(list, raw string) ([]*gatewayv1.MemberChange, *fieldError) {
	if raw == "" {
		return nil, nil
	}
	out := make([]*gatewayv1.MemberChange, 0, countElements(raw))
	for i, el := range elements(raw) {
		if el == "" {
			continue
		}
		if kindOf(el) != kindObject {
			return nil, wrongType("", "an object", el).inElement(list, i)
		}
		var account, action string
		for key, v := range members(el) {
			switch key {
			case "User_Account":
				account = v
			case "ActionType":
				action = v
			}
		}
		var r fieldReader
		c := &gatewayv1.MemberChange{
			UserAccount:    r.id("User_Account", account),
			ActionTypeText: r.str("ActionType", action),
		}
		if r.err != nil {
			return nil, r.err.inElement(list, i)
		}
		c.ActionType = actionTypes.of(c.ActionTypeText)
		out = append(out, c)
	}
	return out, nil
}

// readIDs reads an array of accounts, each a string or a whole number;
// null elements are skipped.
func readIDs(list, raw string) ([]string, *fieldError) {
	if raw == "" {
		return nil, nil
	}
	out := make([]string, 0, countElements(raw))
	for i, el := range elements(raw) {
		if el == "" {
			continue
		}
		var r fieldReader
		id := r.id("", el)
		if r.err != nil {
			return nil, r.err.inElement(list, i)
		}
		out = append(out, id)
	}
	return out, nil
}
