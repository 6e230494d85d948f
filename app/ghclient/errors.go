package ghclient

import (
	"errors"
	"net/http"

	"github.com/google/go-github/v62/github"
)

// Status is the HTTP status of GitHub's answer that err carries: a
// go-github *ErrorResponse, or an error of the authentication transports
// (*RedactedError). 0 when err carries none (network errors, rate limits
// that go-github reports with their own types, nil).
func Status(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	var st interface{ HTTPStatus() int }
	if errors.As(err, &st) {
		return st.HTTPStatus()
	}
	return 0
}

// IsNotFound reports whether GitHub answered 404: the thing is absent, or
// hidden from the token, which for the App is the same.
func IsNotFound(err error) bool { return Status(err) == http.StatusNotFound }

// Refused reports whether err is GitHub refusing the request (403, 404 or
// 422: a feature the plan, the repository or the App's permissions do not
// offer) rather than a rate limit or an outage, with the status and
// GitHub's message. go-github reports rate limits with their own types, so
// they never count as refusals.
func Refused(err error) (status int, message string, ok bool) {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return 0, "", false
	}
	switch s := er.Response.StatusCode; s {
	case http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity:
		return s, er.Message, true
	}
	return 0, "", false
}
