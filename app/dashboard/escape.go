package dashboard

import (
	"strconv"
	"strings"
)

// Repository names, owners and error messages are escaped with
// templates.Text, the one escape every Markdown the App writes uses.

// safeURL returns u when it is an http(s) URL that can sit in a Markdown
// link unescaped, "" otherwise.
func safeURL(u string) string {
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return ""
	}
	if strings.ContainsAny(u, " ()<>[]\"'`\\\n\r\t") {
		return ""
	}
	return u
}

func itoa(i int) string { return strconv.Itoa(i) }
