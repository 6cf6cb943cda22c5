package provider

import (
	"encoding/base64"
	"time"
	"unicode/utf8"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

const defaultDiskCategory = "cloud_essd"

// apiTimeToRFC3339 turns the instance API's minute-precision time
// (yyyy-MM-ddTHH:mmZ) into RFC 3339 with seconds (yyyy-MM-ddTHH:mm:00Z), the
// form every other time in this provider uses. "" stays "" (no time set);
// a value in neither form is kept as the API gave it rather than lost.
func apiTimeToRFC3339(s string) string {
	if s == "" {
		return ""
	}
	for _, layout := range []string{"2006-01-02T15:04Z07:00", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return s
}

// terraformStatus maps the API's status to the two values the resource
// manages: a machine on its way up counts as Running, on its way down as Stopped.
func terraformStatus(apiStatus string) string {
	switch apiStatus {
	case ecsapi.StatusStopped, ecsapi.StatusStopping:
		return ecsapi.StatusStopped
	default:
		return ecsapi.StatusRunning
	}
}

// sshCommand is how a user reaches the machine: the public address when it
// has one, else the private one.
func sshCommand(publicIP, privateIP string) string {
	ip := publicIP
	if ip == "" {
		ip = privateIP
	}
	if ip == "" {
		return ""
	}
	return "ssh root@" + ip
}

// encodeUserData base64-encodes user data for RunInstances, which expects it so.
func encodeUserData(s string) string {
	if s == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// decodeUserData turns the service's base64 user data back into the plain
// text the configuration holds; data that is not base64 of UTF-8 text is
// kept as the service reports it.
func decodeUserData(s string) string {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(b) {
		return s
	}
	return string(b)
}
