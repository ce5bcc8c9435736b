package rooms

import (
	"net/url"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// FuzzApply folds whatever the decoders accept into a projection and reads
// every answer back: no callback body may panic the projection or its readers.
func FuzzApply(f *testing.F) {
	for _, line := range liveStory {
		f.Add(line.command, line.body, line.body)
	}
	f.Fuzz(func(t *testing.T, command, first, second string) {
		p := New(time.Hour)
		at := time.Unix(1739954000, 0)
		for i, body := range []string{first, second} {
			ev, err := callback.DecodeTRTC(liveApp, []byte(body), at)
			if command != "" {
				ev, err = callback.Decode(url.Values{"SdkAppid": {"1400000004"}, "CallbackCommand": {command}}, []byte(body), at)
			}
			if err != nil {
				continue
			}
			ev.Sequence = uint64(i + 1)
			p.Apply(ev)
			if id := liveRoomID(ev); id != "" {
				p.Room(liveApp, id, at, "", 10)
			}
		}
		p.Rooms(liveApp, at, "", 10)
		p.Trim(2)
	})
}
