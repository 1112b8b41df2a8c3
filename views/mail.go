package views

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
)

// mailTemplates are plain-text messages. Each starts with a "Subject: …"
// line and a blank line, then the body.
var mailTemplates = template.Must(template.New("mail").ParseFS(files, "mail/*.txt"))

// Mail renders a message template into its subject and body.
func (r *Renderer) Mail(name string, data any) (subject, body string, err error) {
	var buf bytes.Buffer
	if err := mailTemplates.ExecuteTemplate(&buf, name+".txt", data); err != nil {
		return "", "", fmt.Errorf("views: mail %s: %w", name, err)
	}
	head, rest, ok := strings.Cut(buf.String(), "\n\n")
	if !ok || !strings.HasPrefix(head, "Subject: ") {
		return "", "", fmt.Errorf("views: mail %s does not start with a Subject line and a blank line", name)
	}
	return strings.TrimPrefix(head, "Subject: "), strings.TrimSpace(rest) + "\n", nil
}
