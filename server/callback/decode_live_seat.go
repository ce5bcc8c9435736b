package callback

import (
	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// decodeLiveSeatInfoChanged fills ev from a Mic.CallbackAfterSeatInfoChanged
// body: the room id from RoomId, the accounts from Operator_Account (sent by
// one version of the page) and every seated Member_Account. An empty seat has
// no Member_Account; a seated one may be a string or a number.
func decodeLiveSeatInfoChanged(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.LiveSeatInfoChanged{
		RoomId:          r.id("RoomId", o.get("RoomId")),
		OperatorAccount: r.id("Operator_Account", o.get("Operator_Account")),
	}
	seatsRaw := r.array("SeatList", o.get("SeatList"))
	if r.err != nil {
		return r.err
	}
	err := eachObject("SeatList", seatsRaw, func(so *object) *fieldError {
		var r fieldReader
		seat := &gatewayv1.LiveSeat{
			Index:           r.integer("Index", so.get("Index")),
			MemberAccount:   r.id("Member_Account", so.get("Member_Account")),
			IsTakenDisabled: r.boolean("IsTakenDisabled", so.get("IsTakenDisabled")),
			IsVideoDisabled: r.boolean("IsVideoDisabled", so.get("IsVideoDisabled")),
			IsAudioDisabled: r.boolean("IsAudioDisabled", so.get("IsAudioDisabled")),
		}
		if r.err != nil {
			return r.err
		}
		seat.ExtraJson = so.extra()
		m.SeatList = append(m.SeatList, seat)
		return nil
	})
	if err != nil {
		return err
	}
	m.ExtraJson = o.extra()

	accounts := accountList{list: make([]string, 0, 1+len(m.SeatList))}
	accounts.add(m.OperatorAccount)
	for _, s := range m.SeatList {
		accounts.add(s.MemberAccount)
	}
	ev.RoomId, ev.UserAccounts = m.RoomId, accounts.list
	ev.Payload = &gatewayv1.Event_LiveSeatInfoChanged{LiveSeatInfoChanged: m}
	return nil
}
