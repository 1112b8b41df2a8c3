// Package assets embeds Kitshelf's CSS, JavaScript and images and serves them
// under content-hashed URLs (/assets/css/app.3f2a9c1e.css), so browsers may
// cache them forever and a new release is fetched at once.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
)

//go:embed css js img vendor
var files embed.FS

// Prefix is where assets are served.
const Prefix = "/assets/"

var (
	once   sync.Once
	hashed map[string]string // "css/app.css" → "css/app.3f2a9c1e.css"
	plain  map[string]string // the reverse
)

func index() {
	hashed, plain = map[string]string{}, map[string]string{}
	fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		h := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		hashed[p], plain[h] = h, p
		return nil
	})
}

// URL returns the hashed URL of an asset, e.g. URL("css/app.css"). It
// panics on an unknown name, so a typo fails the first render at start-up
// (templates are rendered in tests) rather than shipping a broken link.
func URL(name string) string {
	once.Do(index)
	h, ok := hashed[name]
	if !ok {
		panic("assets: no such asset " + name)
	}
	return Prefix + h
}

// Read returns an asset's bytes by its plain name.
func Read(name string) ([]byte, error) { return files.ReadFile(name) }

// Handler serves assets by hashed name with a year-long, immutable cache.
func Handler() http.Handler {
	once.Do(index)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := plain[strings.TrimPrefix(r.URL.Path, Prefix)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, _ := files.ReadFile(name)
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(b)
	})
}
