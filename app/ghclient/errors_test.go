package ghclient

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestErrorPredicates(t *testing.T) {
	t.Parallel()
	answer := func(code int, msg string) error {
		return fmt.Errorf("job step: %w", &github.ErrorResponse{Message: msg,
			Response: &http.Response{StatusCode: code, Request: &http.Request{Method: "GET"}}})
	}
	tests := map[string]struct {
		err      error
		status   int
		notFound bool
		refused  bool
	}{
		"404":                 {answer(404, "Not Found"), 404, true, true},
		"403":                 {answer(403, "Resource not accessible by integration"), 403, false, true},
		"422":                 {answer(422, "Reference already exists"), 422, false, true},
		"409 is no refusal":   {answer(409, "Git Repository is empty."), 409, false, false},
		"502 is an outage":    {answer(502, "Bad Gateway"), 502, false, false},
		"token endpoint 401":  {&RedactedError{msg: "x", status: 401}, 401, false, false},
		"rate limit":          {&github.RateLimitError{Response: &http.Response{StatusCode: 403}}, 0, false, false},
		"network":             {errors.New("connection reset"), 0, false, false},
		"nil":                 {nil, 0, false, false},
		"redacted 404 (auth)": {&RedactedError{msg: "x", status: 404}, 404, true, false},
	}
	for name, tc := range tests {
		if got := Status(tc.err); got != tc.status {
			t.Errorf("%s: Status = %d, want %d", name, got, tc.status)
		}
		if got := IsNotFound(tc.err); got != tc.notFound {
			t.Errorf("%s: IsNotFound = %v", name, got)
		}
		status, msg, ok := Refused(tc.err)
		if ok != tc.refused || ok && (status != tc.status || msg == "") {
			t.Errorf("%s: Refused = %d, %q, %v", name, status, msg, ok)
		}
	}
}
