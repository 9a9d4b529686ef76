package provider

import (
	"strconv"
	"time"
)

// xanoTimeLayouts are the forms in which Xano's Metadata API writes a point in time, most common
// first: "2026-11-27 08:10:20+0000" in branch and workspace objects, RFC 3339 elsewhere.
var xanoTimeLayouts = []string{
	"2006-01-02 15:04:05-0700",
	"2006-01-02 15:04:05.999999999-0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	time.RFC3339Nano, // also parses RFC 3339 without fractional seconds
}

// rfc3339FromXano returns a timestamp from Xano in the one form every attribute of the provider
// uses, RFC 3339 in UTC to the second (e.g. "2026-11-27T08:10:20Z"). It reads Xano's
// "2006-01-02 15:04:05-0700" form, RFC 3339 and epoch seconds; anything else is returned
// unchanged, so that an unexpected form is shown as Xano sent it rather than lost.
func rfc3339FromXano(s string) string {
	if s == "" {
		return s
	}
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(secs, 0).UTC().Format(time.RFC3339)
	}
	for _, layout := range xanoTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return s
}
