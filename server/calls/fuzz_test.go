package calls

import (
	"bufio"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// FuzzApply folds whatever the decoder accepts from a callback body into a
// projection and reads every answer back: nothing Tencent (or anyone who can
// post a callback) sends may panic the projection or its readers.
func FuzzApply(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txt"))
	for _, path := range paths {
		file, err := os.Open(path)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(file)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if command, body, ok := strings.Cut(sc.Text(), " "); ok && !strings.HasPrefix(command, "#") {
				f.Add(command, body, body)
			}
		}
		file.Close()
	}
	f.Fuzz(func(t *testing.T, command, first, second string) {
		p := New()
		q := url.Values{"SdkAppid": {"1400000001"}, "CallbackCommand": {command}, "contenttype": {"json"}}
		var ids []string
		for i, body := range []string{first, second} {
			ev, err := callback.Decode(q, []byte(body), receivedAt)
			if err != nil {
				continue
			}
			ev.Sequence = uint64(i + 1)
			p.Apply(ev)
			ids = append(ids, callID(ev))
		}
		for _, id := range ids {
			p.Call(1400000001, id)
			p.Record(1400000001, id)
		}
		p.Records(1400000001, Filter{}, nil, 10)
		p.Trim(2)
		p.Trim(3)
	})
}
