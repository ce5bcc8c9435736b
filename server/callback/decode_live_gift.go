package callback

import (
	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// decodeLiveGiftSending fills ev from a Live.CallbackBeforeSendGift body: the
// room id from RoomId, the accounts from Operator_Account, GiftWater.From_Account
// and GiftWater.To_Account. The body has no EventTime; GiftWater.Time is in seconds.
func decodeLiveGiftSending(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.LiveGiftSending{
		OperatorAccount: r.id("Operator_Account", o.get("Operator_Account")),
		RoomId:          r.id("RoomId", o.get("RoomId")),
	}
	waterRaw := r.object("GiftWater", o.get("GiftWater"))
	if r.err != nil {
		return r.err
	}
	if waterRaw != "" {
		wo := newObject(waterRaw)
		w := &gatewayv1.LiveGiftWater{
			FromAccount: r.id("From_Account", wo.get("From_Account")),
			ToAccounts:  r.ids("To_Account", wo.get("To_Account")),
			Time:        r.seconds("Time", wo.get("Time")),
			GiftId:      r.id("GiftId", wo.get("GiftId")),
			Count:       r.integer("Count", wo.get("Count")),
			Coins:       r.integer("Coins", wo.get("Coins")),
		}
		if r.err != nil {
			return r.err.in("GiftWater")
		}
		w.ExtraJson = wo.extra()
		m.GiftWater = w
	}
	m.ExtraJson = o.extra()

	accounts := accountList{list: make([]string, 0, 2+len(m.GetGiftWater().GetToAccounts()))}
	accounts.add(m.OperatorAccount)
	accounts.add(m.GetGiftWater().GetFromAccount())
	for _, a := range m.GetGiftWater().GetToAccounts() {
		accounts.add(a)
	}
	ev.RoomId, ev.UserAccounts = m.RoomId, accounts.list
	ev.Payload = &gatewayv1.Event_LiveGiftSending{LiveGiftSending: m}
	return nil
}
