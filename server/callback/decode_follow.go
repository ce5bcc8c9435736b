package callback

import (
	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// decodeFollowAdded fills ev from a Follow.CallbackAfterFollowAdd body: the
// accounts From_Account then every FollowList[].To_Account.
func decodeFollowAdded(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.FollowAdded{FromAccount: r.id("From_Account", o.get("From_Account"))}
	listRaw := r.array("FollowList", o.get("FollowList"))
	if r.err != nil {
		return r.err
	}
	err := eachObject("FollowList", listRaw, func(fo *object) *fieldError {
		var r fieldReader
		f := &gatewayv1.FollowEntry{ToAccount: r.id("To_Account", fo.get("To_Account"))}
		if r.err != nil {
			return r.err
		}
		f.ExtraJson = fo.extra()
		m.FollowList = append(m.FollowList, f)
		return nil
	})
	if err != nil {
		return err
	}
	m.ExtraJson = o.extra()

	accounts := accountList{list: make([]string, 0, 1+len(m.FollowList))}
	accounts.add(m.FromAccount)
	for _, f := range m.FollowList {
		accounts.add(f.ToAccount)
	}
	ev.UserAccounts = accounts.list
	ev.Payload = &gatewayv1.Event_FollowAdded{FollowAdded: m}
	return nil
}

// decodeFollowDeleted fills ev from a Follow.CallbackAfterFollowDelete body,
// whose To_Account is an array (a different shape from the add callback).
func decodeFollowDeleted(top *topFields, ev *gatewayv1.Event) *fieldError {
	o := newBody(top)
	var r fieldReader
	m := &gatewayv1.FollowDeleted{
		FromAccount: r.id("From_Account", o.get("From_Account")),
		ToAccounts:  r.ids("To_Account", o.get("To_Account")),
	}
	if r.err != nil {
		return r.err
	}
	m.ExtraJson = o.extra()

	accounts := accountList{list: make([]string, 0, 1+len(m.ToAccounts))}
	accounts.add(m.FromAccount)
	for _, a := range m.ToAccounts {
		accounts.add(a)
	}
	ev.UserAccounts = accounts.list
	ev.Payload = &gatewayv1.Event_FollowDeleted{FollowDeleted: m}
	return nil
}
