// Package console serves the gateway's web console: a static page, embedded in
// the binary, that reads events through the public JSON API
// (GET /v1/events:subscribe) with the visitor's own bearer token. It holds no
// state and no privilege of its own, so it shows exactly what a client with
// the same token could read.
package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// Path is where the console is mounted on the JSON API listener.
const Path = "/console/"

//go:embed assets
var assets embed.FS

// ContentSecurityPolicy is sent with every console response: scripts, styles
// and connections only from the gateway itself, no inline code, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// file is one embedded asset, read once.
type file struct {
	body        []byte
	contentType string
	etag        string
}

// Handler serves the console under Path; mount it with
// mux.Handle(console.Path, h). Its error means the binary was built without
// its assets.
func Handler() (http.Handler, error) {
	files, err := load()
	if err != nil {
		return nil, fmt.Errorf("console: reading the embedded assets: %w", err)
	}
	return &handler{files: files}, nil
}

func load() (map[string]file, error) {
	root, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, err
	}
	files := map[string]file{}
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = http.DetectContentType(body)
		}
		sum := sha256.Sum256(body)
		files[name] = file{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, ok := files["index.html"]; !ok {
		return nil, errors.New("no index.html")
	}
	return files, nil
}

type handler struct {
	files map[string]file
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", ContentSecurityPolicy)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
	hdr.Set("Cross-Origin-Resource-Policy", "same-origin")
	// Revalidate every time (the ETag makes that cheap), so an upgraded
	// gateway's page never runs against a cached older script.
	hdr.Set("Cache-Control", "no-cache")

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "the console is read with GET", http.StatusMethodNotAllowed)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, Path)
	if !ok {
		// /console without the slash: the page's relative links need it.
		http.Redirect(w, r, Path, http.StatusMovedPermanently)
		return
	}
	if name == "" {
		name = "index.html"
	}
	f, ok := h.files[name]
	if !ok {
		http.Error(w, "no such console file", http.StatusNotFound)
		return
	}
	hdr.Set("Content-Type", f.contentType)
	hdr.Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
