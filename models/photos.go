package models

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig reads JPEG headers
	_ "image/png"  // and PNG headers
	"net/http"
	"strings"

	_ "golang.org/x/image/webp" // and WebP headers
	"gorm.io/gorm"
)

// Photo limits: a phone photo fits easily; anything larger is slow to serve
// to a school's connection and no sharper on a page.
const (
	MaxPhotoBytes = 5 << 20 // 5 MiB
	MaxPhotoSide  = 6000    // pixels, each way
)

// ErrPhotoTooLarge refuses a photo over MaxPhotoBytes.
var ErrPhotoTooLarge = &Refusal{Kind: TooLarge, Code: "photo_too_large",
	Message: "That photo is larger than 5 MB. Upload a smaller copy: a photo 2000 pixels wide is plenty.",
	Fields:  map[string]string{"photo": "Choose a photo of 5 MB or less."}}

// photoFormats are the types Kitshelf stores, by the type their bytes show,
// with the name image.DecodeConfig gives their format.
var photoFormats = map[string]string{"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp"}

// readPhoto checks a photo by its content, never by its name or the type the
// browser claimed: it must sniff as JPEG, PNG or WebP, have a header that
// decodes as that format, and be at most MaxPhotoSide pixels each way. Only
// the header is decoded, so a huge image costs no memory here. It returns
// the content type to serve the photo with.
func readPhoto(data []byte) (string, image.Config, error) {
	invalid := func(msg string, args ...any) error {
		m := fmt.Sprintf(msg, args...)
		return &Refusal{Kind: Invalid, Code: "photo_unsuitable", Message: m, Fields: map[string]string{"photo": m}}
	}
	switch {
	case len(data) == 0:
		return "", image.Config{}, &Refusal{Kind: Invalid, Code: "photo_missing", Message: "Choose a photo to upload.",
			Fields: map[string]string{"photo": "Choose a JPEG, PNG or WebP photo."}}
	case len(data) > MaxPhotoBytes:
		return "", image.Config{}, ErrPhotoTooLarge
	}
	ct := http.DetectContentType(data)
	format, ok := photoFormats[ct]
	if !ok {
		return "", image.Config{}, invalid("That file is %s; upload a JPEG, PNG or WebP photo.", describeContent(ct, data))
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || got != format {
		return "", image.Config{}, invalid("That file starts like a %s photo but cannot be read; it may be damaged. Save it again and upload the copy.",
			strings.ToUpper(format))
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxPhotoSide || cfg.Height > MaxPhotoSide {
		return "", image.Config{}, invalid("That photo is %d × %d pixels; the most Kitshelf takes is %d × %d. Resize it and upload it again.",
			cfg.Width, cfg.Height, MaxPhotoSide, MaxPhotoSide)
	}
	return ct, cfg, nil
}

// describeContent names what a refused file is, for the refusal.
func describeContent(ct string, data []byte) string {
	switch {
	case ct == "image/gif":
		return "a GIF"
	case ct == "image/bmp":
		return "a BMP image"
	case ct == "image/x-icon":
		return "an icon"
	case ct == "application/pdf":
		return "a PDF"
	case isHEIF(data):
		return "a HEIC photo (the iPhone's own format)"
	case strings.HasPrefix(ct, "text/"):
		return "text, not a photo"
	case strings.HasPrefix(ct, "video/"):
		return "a video"
	case strings.HasPrefix(ct, "audio/"):
		return "a sound file"
	}
	return "not a photo Kitshelf can read"
}

// isHEIF spots HEIC/HEIF files, which http.DetectContentType does not know:
// an ISO media "ftyp" box with a HEIF brand.
func isHEIF(data []byte) bool {
	if len(data) < 12 || string(data[4:8]) != "ftyp" {
		return false
	}
	switch string(data[8:12]) {
	case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
		return true
	}
	return false
}

// SetKitTypePhoto checks an uploaded photo, stores it and makes it the kit
// type's photo, in one transaction with its audit entry. contentType is what
// the upload claimed; it is recorded in the audit entry but never trusted:
// the photo is served with the type its bytes show. A replaced photo that no
// other kit type uses is deleted.
func SetKitTypePhoto(db *gorm.DB, by Actor, slug, contentType string, data []byte) (*KitType, error) {
	if err := mayEditCatalogue(by); err != nil {
		return nil, err
	}
	ct, cfg, err := readPhoto(data)
	if err != nil {
		return nil, err
	}
	var kt *KitType
	err = transact(db, by, func(tx *gorm.DB) error {
		if kt, err = KitTypeBySlug(tx, slug); err != nil {
			return err
		}
		if err := forUpdate(tx).Select("id").Take(&KitType{}, kt.ID).Error; err != nil {
			return err
		}
		if kt, err = KitTypeBySlug(tx, slug); err != nil {
			return err
		}
		old := kt.PhotoID
		p := Photo{ContentType: ct, Data: data}
		if err := tx.Create(&p).Error; err != nil {
			return err
		}
		if err := tx.Model(&KitType{}).Where("id = ?", kt.ID).Update("photo_id", p.ID).Error; err != nil {
			return err
		}
		kt.PhotoID = &p.ID
		if old != nil {
			if err := tx.Exec("DELETE FROM photos WHERE id = ? AND NOT EXISTS (SELECT 1 FROM kit_types WHERE photo_id = ?)", *old, *old).Error; err != nil {
				return err
			}
		}
		return record(tx, by, change{action: "kit_type.photo", subjectType: "kit_type", subjectID: kt.ID,
			summary: "new photo of " + kt.Name, before: map[string]any{"photo_id": old},
			after: map[string]any{"photo_id": p.ID, "content_type": ct, "claimed_type": contentType, "bytes": len(data),
				"width": cfg.Width, "height": cfg.Height}})
	})
	if err != nil {
		return nil, err
	}
	return kt, nil
}

// PhotoByID returns a stored photo.
func PhotoByID(db *gorm.DB, id uint) (*Photo, error) {
	var p Photo
	if err := db.Take(&p, id).Error; err != nil {
		return nil, notFound(err, refuse(NotFound, "photo_not_found", "There is no such photo."))
	}
	return &p, nil
}
